//! The public verification page of a guarantee or a credit confirmation: its path and URL (what a
//! bank prints on the e-LG, as text and as a QR code) and that QR code as SVG. egp-api serves the
//! pages at these paths; `egp show guarantee … --qr` writes the same code.

use alloy::primitives::B256;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::{Error, Result};

/// The path of a guarantee's page: `/v/0x…` (the id in lowercase hex).
pub fn guarantee_path(id: B256) -> String {
    format!("/v/{id}")
}

/// The path of a credit confirmation's page: `/v/c/0x…`.
pub fn confirmation_path(id: B256) -> String {
    format!("/v/c/{id}")
}

/// A public base URL checked and normalised: `http://` or `https://`, a host, an optional port
/// and path prefix, no query or fragment; a trailing `/` is dropped.
pub fn public_base(text: &str) -> Result<String> {
    let bad = |reason| Error::InvalidPublicUrl { value: text.to_owned(), reason };
    let trimmed = text.trim();
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|scheme| trimmed.starts_with(scheme))
        .ok_or_else(|| bad("it must start with http:// or https://"))?;
    let rest = trimmed[scheme.len()..].trim_end_matches('/');
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() {
        return Err(bad("it names no host"));
    }
    if rest.contains(['?', '#']) {
        return Err(bad("it must have no query or fragment"));
    }
    if !rest.chars().all(|c| c.is_ascii_graphic()) {
        return Err(bad("it must be ASCII without spaces"));
    }
    Ok(format!("{scheme}{rest}"))
}

/// `text` as a QR code in SVG: error correction level M, the standard 4-module quiet zone, black
/// on white, at least 256 units wide (it scales: print it at 2 cm or more).
pub fn qr_svg(text: &str) -> Result<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|error| Error::QrCode { length: text.len(), reason: error.to_string() })?;
    Ok(code.render::<svg::Color<'_>>().min_dimensions(256, 256).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the SVG back into modules (the `M x y h w v h …` rectangles the renderer draws) and
    /// decodes it with an independent QR reader.
    fn decode(svg: &str) -> String {
        let size = |name: &str| -> usize {
            let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            svg[start..].split('"').next().unwrap().parse().unwrap()
        };
        let (width, height) = (size("width"), size("height"));
        let mut dark = vec![false; width * height];
        let path = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
        for rect in path.split('M').filter(|r| !r.is_empty()) {
            let numbers: Vec<usize> = rect
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect();
            let (left, top, w, h) = (numbers[0], numbers[1], numbers[2], numbers[3]);
            for y in top..top + h {
                for x in left..left + w {
                    dark[y * width + x] = true;
                }
            }
        }
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(
                width,
                height,
                |x, y| if dark[y * width + x] { 0 } else { 255 },
            );
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the SVG");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn a_page_url_round_trips_through_its_qr_code() {
        let id = crate::types::record_id(crate::BankCode::new(2).unwrap(), "LG-2569-000001");
        let url = format!("{}{}", public_base("https://verify.egp.example/").unwrap(), guarantee_path(id));
        assert_eq!(url, format!("https://verify.egp.example/v/{id}"));
        let svg = qr_svg(&url).unwrap();
        assert!(svg.contains("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert_eq!(decode(&svg), url);
        assert_eq!(
            decode(&qr_svg(&format!("http://10.0.0.1:8080/egp{}", confirmation_path(id))).unwrap()),
            format!("http://10.0.0.1:8080/egp/v/c/{id}")
        );
    }

    #[test]
    fn unusable_base_urls_are_refused_naming_the_value() {
        for (text, reason) in [
            ("verify.egp.example", "http"),
            ("ftp://verify.egp.example", "http"),
            ("https://", "host"),
            ("https://verify.egp.example/?a=1", "query"),
            ("https://verify egp", "ASCII"),
        ] {
            let error = public_base(text).unwrap_err().to_string();
            assert!(error.contains(text.trim_end_matches('/')) && error.contains(reason), "{error}");
        }
        assert_eq!(public_base(" http://127.0.0.1:8080 ").unwrap(), "http://127.0.0.1:8080");
    }

    #[test]
    fn a_text_too_long_for_a_qr_code_is_refused() {
        let error = qr_svg(&"x".repeat(5000)).unwrap_err().to_string();
        assert!(error.contains("5000 bytes"), "{error}");
    }
}
