//! A headless Chromium driven over the DevTools protocol: a small client (commands and events
//! over one WebSocket, pages as flattened target sessions), enough to load pages, run script in
//! them, drop files on them, watch their network requests and console, and take screenshots.
//!
//! The browser is Debian's `chromium` (`scripts/bootstrap --for-tests` installs it where apt-get
//! is available), or the one `EGP_CHROMIUM` names. When none is found the tests fail and say so,
//! unless `EGP_SKIP_BROWSER_TESTS=1` asks to skip them (scripts/test never does).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

/// Where Chromium is: `EGP_CHROMIUM`, else `chromium` (or `chromium-browser`) on `PATH`.
pub fn find_chromium() -> Result<PathBuf, String> {
    if let Ok(path) = std::env::var("EGP_CHROMIUM") {
        let path = PathBuf::from(path);
        return if path.is_file() { Ok(path) } else { Err(format!("EGP_CHROMIUM={} is not a file", path.display())) };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err("no Chromium found (looked for EGP_CHROMIUM, then chromium and chromium-browser on PATH): \
         run scripts/bootstrap --for-tests, which installs Debian's chromium, or `sudo apt-get install chromium fonts-thai-tlwg`"
        .into())
}

/// Whether the browser tests may run: `true` with a browser; `false` (and a note on stderr) when
/// none is found and `EGP_SKIP_BROWSER_TESTS=1`; otherwise the test fails saying what is missing.
pub fn browser_available() -> bool {
    match find_chromium() {
        Ok(_) => true,
        Err(why) if std::env::var("EGP_SKIP_BROWSER_TESTS").is_ok_and(|v| v == "1") => {
            #[allow(clippy::disallowed_macros, reason = "a skipped test says why on the test's output")]
            {
                eprintln!("SKIPPED (EGP_SKIP_BROWSER_TESTS=1): {why}");
            }
            false
        }
        Err(why) => panic!("{why} (set EGP_SKIP_BROWSER_TESTS=1 to skip the browser tests)"),
    }
}

struct Connection {
    outgoing: mpsc::UnboundedSender<Message>,
    pending: Pending,
    events: broadcast::Sender<Value>,
    next_id: AtomicU64,
}

impl Connection {
    async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let (sender, receiver) = oneshot::channel();
        self.pending.lock().expect("not poisoned").insert(id, sender);
        self.outgoing.send(Message::Text(message.to_string().into())).expect("the browser connection is open");
        match tokio::time::timeout(Duration::from_secs(60), receiver).await {
            Ok(Ok(Ok(result))) => result,
            Ok(Ok(Err(error))) => panic!("{method} failed: {error}"),
            Ok(Err(_)) => panic!("{method}: the browser connection closed"),
            Err(_) => panic!("{method}: no answer from the browser within 60 s"),
        }
    }
}

/// A running headless Chromium with its own fresh profile; killed on drop.
pub struct Browser {
    child: Child,
    profile: PathBuf,
    connection: Arc<Connection>,
}

impl Browser {
    /// Starts Chromium with the flags that keep it off the network (no background connections,
    /// no component updates, no QUIC) in a new temporary profile.
    pub async fn launch() -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let chromium = find_chromium().unwrap_or_else(|why| panic!("{why}"));
        let profile = std::env::temp_dir().join(format!(
            "egp-chromium-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("a profile folder");
        let child = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--window-size=1280,900",
                "--remote-debugging-port=0",
                &format!("--user-data-dir={}", profile.display()),
                "about:blank",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", chromium.display()));
        // Chromium writes its DevTools port and browser path here once it listens.
        let active = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            if let Ok(text) = std::fs::read_to_string(&active)
                && let [port, path, ..] = text.lines().collect::<Vec<_>>()[..]
            {
                break format!("ws://127.0.0.1:{port}{path}");
            }
            assert!(Instant::now() < deadline, "Chromium did not open its DevTools port within 60 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let (socket, _) = tokio_tungstenite::connect_async(&url).await.expect("the DevTools WebSocket");
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut queue) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(message) = queue.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let (events, _) = broadcast::channel(4096);
        let (reader_pending, reader_events) = (pending.clone(), events.clone());
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
                if let Some(id) = value.get("id").and_then(Value::as_u64) {
                    let result = match value.get("error") {
                        Some(error) => Err(error.to_string()),
                        None => Ok(value.get("result").cloned().unwrap_or(Value::Null)),
                    };
                    if let Some(sender) = reader_pending.lock().expect("not poisoned").remove(&id) {
                        let _ = sender.send(result);
                    }
                } else {
                    let _ = reader_events.send(value);
                }
            }
        });
        let connection = Arc::new(Connection { outgoing, pending, events, next_id: AtomicU64::new(1) });
        Self { child, profile, connection }
    }

    /// A new tab, its page, runtime, network and log events on.
    pub async fn new_page(&self) -> Page {
        let target = self.connection.call(None, "Target.createTarget", json!({ "url": "about:blank" })).await;
        let target = target["targetId"].as_str().expect("a target id").to_owned();
        let attached =
            self.connection.call(None, "Target.attachToTarget", json!({ "targetId": target, "flatten": true })).await;
        let session = attached["sessionId"].as_str().expect("a session id").to_owned();
        let page = Page { connection: self.connection.clone(), session, events: self.connection.events.subscribe() };
        for domain in ["Page.enable", "Runtime.enable", "Network.enable", "Log.enable"] {
            page.call(domain, json!({})).await;
        }
        page
    }

    /// Whether `png` shows something: decoded by the browser in a blank tab, the share of pixels
    /// that differ from the most common colour, and how many colours it has (sampled).
    pub async fn picture_stats(&self, png: &[u8]) -> (f64, u64) {
        use base64::Engine as _;
        let page = self.new_page().await;
        let data = base64::engine::general_purpose::STANDARD.encode(png);
        let script = format!(
            "(async () => {{
                const blob = await (await fetch('data:image/png;base64,{data}')).blob();
                const bitmap = await createImageBitmap(blob);
                const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
                const g = canvas.getContext('2d');
                g.drawImage(bitmap, 0, 0);
                const d = g.getImageData(0, 0, bitmap.width, bitmap.height).data;
                const counts = new Map();
                let total = 0;
                for (let i = 0; i < d.length; i += 4 * 3) {{
                    const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
                    counts.set(key, (counts.get(key) || 0) + 1);
                    total++;
                }}
                let most = 0;
                for (const n of counts.values()) most = Math.max(most, n);
                return {{ other: (total - most) / total, colours: counts.size }};
            }})()"
        );
        let stats = page.eval(&script).await;
        page.close().await;
        (stats["other"].as_f64().expect("a share"), stats["colours"].as_u64().expect("a count"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One tab.
pub struct Page {
    connection: Arc<Connection>,
    session: String,
    events: broadcast::Receiver<Value>,
}

impl Page {
    /// A DevTools command in this tab.
    pub async fn call(&self, method: &str, params: Value) -> Value {
        self.connection.call(Some(&self.session), method, params).await
    }

    /// This tab's events received so far (and not taken before), as `(method, params)`.
    pub fn take_events(&mut self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        loop {
            match self.events.try_recv() {
                Ok(event) => {
                    if event["sessionId"].as_str() == Some(self.session.as_str()) {
                        out.push((event["method"].as_str().unwrap_or("").to_owned(), event["params"].clone()));
                    }
                }
                Err(broadcast::error::TryRecvError::Lagged(_)) => continue,
                Err(_) => return out,
            }
        }
    }

    /// Opens `url` and waits for the page's load event and for `document.readyState` complete.
    pub async fn goto(&self, url: &str) {
        let navigated = self.call("Page.navigate", json!({ "url": url })).await;
        assert!(navigated.get("errorText").is_none(), "cannot open {url}: {navigated}");
        self.wait_for("document.readyState === 'complete'", Duration::from_secs(30)).await;
    }

    /// Evaluates `expression` (awaiting a promise) and returns its value.
    pub async fn eval(&self, expression: &str) -> Value {
        let result = self
            .call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }))
            .await;
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("script failed: {exception}\n{expression}");
        }
        result["result"]["value"].clone()
    }

    /// Waits until `condition` (a JavaScript expression) is truthy; returns its value and how long
    /// that took. Fails after `timeout`, showing the page's text.
    pub async fn wait_for(&self, condition: &str, timeout: Duration) -> (Value, Duration) {
        let start = Instant::now();
        loop {
            let value = self
                .eval(&format!("(() => {{ try {{ return {condition}; }} catch (e) {{ return false; }} }})()"))
                .await;
            let truthy = !matches!(&value, Value::Null | Value::Bool(false))
                && value.as_str() != Some("")
                && value.as_f64() != Some(0.0);
            if truthy {
                return (value, start.elapsed());
            }
            if start.elapsed() > timeout {
                let text = self.eval("document.body ? document.body.innerText : ''").await;
                panic!("waited {timeout:?} for `{condition}`; the page says:\n{}", text.as_str().unwrap_or(""));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The page's viewport: `width` CSS pixels wide, `mobile` for a phone.
    pub async fn viewport(&self, width: u32, height: u32, mobile: bool) {
        let scale = if mobile { 2 } else { 1 };
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile }),
        )
        .await;
    }

    /// A PNG of the whole page (`whole`) or of what the screen shows, written to `path` too.
    pub async fn screenshot(&self, path: &Path, whole: bool) -> Vec<u8> {
        use base64::Engine as _;
        let shot =
            self.call("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": whole })).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("image data"))
            .expect("base64");
        std::fs::write(path, &png).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
        png
    }

    /// Drops `file` on the element `selector` names (scrolled into view), as a person dragging it
    /// from the desktop.
    pub async fn drop_file(&self, selector: &str, file: &Path) {
        let centre = self
            .eval(&format!(
                "(() => {{ const e = document.querySelector({selector:?}); e.scrollIntoView({{ block: 'center' }}); \
                 const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
            ))
            .await;
        let (x, y) = (centre[0].as_f64().expect("x"), centre[1].as_f64().expect("y"));
        let data = json!({ "items": [], "files": [file.display().to_string()], "dragOperationsMask": 1 });
        for kind in ["dragEnter", "dragOver", "drop"] {
            self.call("Input.dispatchDragEvent", json!({ "type": kind, "x": x, "y": y, "data": data })).await;
        }
    }

    /// Closes the tab.
    pub async fn close(self) {
        let _ = self.call("Page.close", json!({})).await;
    }
}
