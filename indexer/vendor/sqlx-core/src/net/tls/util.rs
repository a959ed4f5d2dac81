use crate::net::Socket;

use std::io::{self, Read, Write};
use std::task::{Context, Poll};

use futures_util::future;

pub struct StdSocket<S> {
    pub socket: S,
    wants_read: bool,
    wants_write: bool,
}

impl<S: Socket> StdSocket<S> {
    pub fn new(socket: S) -> Self {
        Self {
            socket,
            wants_read: false,
            wants_write: false,
        }
    }

    // egp-chain: backport of sqlx PR #4251 (in sqlx 0.9.0), "fix(tls): potential deadlock in
    // `StdSocket::poll_ready()`". This used to wait until the socket was ready in *both*
    // directions when the TLS code wanted to read and write; during `COPY ... FROM STDIN` the
    // server sends nothing, so a write blocked by back-pressure never resumed. Now wakeups are
    // registered for both directions and either one being ready is enough.
    pub fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut ready_either = !self.wants_write && !self.wants_read;

        if self.wants_write {
            if let Poll::Ready(result) = self.socket.poll_write_ready(cx) {
                result?;
                self.wants_write = false;
                ready_either = true;
            }
        }

        if self.wants_read {
            if let Poll::Ready(result) = self.socket.poll_read_ready(cx) {
                result?;
                self.wants_read = false;
                ready_either = true;
            }
        }

        if ready_either {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    pub async fn ready(&mut self) -> io::Result<()> {
        future::poll_fn(|cx| self.poll_ready(cx)).await
    }
}

impl<S: Socket> Read for StdSocket<S> {
    fn read(&mut self, mut buf: &mut [u8]) -> io::Result<usize> {
        self.wants_read = true;
        let read = self.socket.try_read(&mut buf)?;
        self.wants_read = false;

        Ok(read)
    }
}

impl<S: Socket> Write for StdSocket<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.wants_write = true;
        let written = self.socket.try_write(buf)?;
        self.wants_write = false;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        // NOTE: TCP sockets and unix sockets are both no-ops for flushes
        Ok(())
    }
}
