//! The pages kefu serves to browsers, embedded in the binary at build time (`web/dist`, built
//! by `make setup` from `web/`; see docs/web.md): the chat widget (`/widget.js`), the console
//! (`/console/`) and, with `kefu serve --demo`, a demo shop page carrying the widget (`/demo`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::AppState;
use crate::Error;
use crate::config::Scope;

/// A file of `web/dist`.
struct Asset {
    /// Its path under `web/dist`.
    path: &'static str,
    body: &'static [u8],
    /// The same, gzipped at build time.
    gzip: Option<&'static [u8]>,
    /// A quoted hash of the body.
    etag: &'static str,
}

/// Every file of `web/dist` (none when it was not built: a warning at build time says so).
static ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// Where the demo page's publishable key goes.
const KEY_SLOT: &str = "%KEFU_PUBLISHABLE_KEY%";

/// The console's pages may load scripts, styles and data from this origin only, and no other
/// site may frame them.
const CONSOLE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The routes of the pages.
pub fn routes(state: &AppState) -> Router<AppState> {
    let mut router = Router::new()
        .route(
            "/widget.js",
            get(|headers: HeaderMap| async move { serve("widget.js", &headers, "public, max-age=300") }),
        )
        .route("/console", get(|| async { Redirect::permanent("/console/") }))
        .route(
            "/console/",
            get(|headers: HeaderMap| async move { console_page("console/index.html", &headers) }),
        )
        .route("/console/{*path}", get(console_file));
    if state.demo_page {
        router = router.route("/demo", get(demo));
    }
    router
}

/// `path` with `cache` as its `Cache-Control`: gzipped when the client takes it, `304` when it
/// has this version already.
fn serve(path: &str, headers: &HeaderMap, cache: &'static str) -> Response {
    let Some(asset) = find(path) else { return missing(path) };
    let gzip = asset.gzip.filter(|_| accepts_gzip(headers));
    // Each encoding its own tag, so that a cache never serves one for the other.
    let etag = match gzip {
        Some(_) => format!("{}-gz\"", asset.etag.trim_end_matches('"')),
        None => asset.etag.to_string(),
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = gzip.unwrap_or(asset.body).into_response();
        if gzip.is_some() {
            response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, HeaderValue::from_str(&etag).expect("a hex tag"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| coding.split(';').next().is_some_and(|name| name.trim() == "gzip"))
}

/// A page of the console, with its security headers.
fn console_page(path: &str, headers: &HeaderMap) -> Response {
    // The page is small and names the hashed assets of this build: never cached stale.
    let mut response = serve(path, headers, "no-cache");
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONSOLE_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// A file under `/console/`: the built assets, named by their content's hash, cached for good.
async fn console_file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let path = format!("console/{path}");
    if path.ends_with(".html") {
        return console_page(&path, &headers);
    }
    serve(&path, &headers, "public, max-age=31536000, immutable")
}

/// The demo shop page, with the first publishable key configured in its widget tag.
async fn demo(State(state): State<AppState>) -> Response {
    let Some(page) = find("demo/index.html") else { return missing("demo/index.html") };
    let Some(key) = state.server().api_keys.iter().find(|k| k.scope == Scope::Publishable) else {
        return Error::Setup(
            "the demo page needs a publishable key (KEFU_API_KEYS=\"…:publishable\") and server.session_secret"
                .into(),
        )
        .into_response();
    };
    let html = String::from_utf8_lossy(page.body).replace(KEY_SLOT, &html_attribute(&key.key));
    let mut response = axum::response::Html(html).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `value` escaped for a double-quoted HTML attribute.
fn html_attribute(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The pages were not built into this binary.
fn missing(path: &str) -> Response {
    if ASSETS.is_empty() {
        return Error::Setup(
            "this kefu was built without its web pages: run `make setup` (Node.js and npm build web/), then build again"
                .into(),
        )
        .into_response();
    }
    Error::NotFound(format!("no page `{path}`")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_sent_only_to_clients_that_take_it() {
        let mut headers = HeaderMap::new();
        assert!(!accepts_gzip(&headers));
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br;q=1, gzip;q=0.8"));
        assert!(accepts_gzip(&headers));
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzipx, deflate"));
        assert!(!accepts_gzip(&headers));
    }

    #[test]
    fn a_key_cannot_break_out_of_its_attribute() {
        assert_eq!(html_attribute("pk\"><script>"), "pk&quot;&gt;&lt;script&gt;");
        assert_eq!(content_type("console/assets/index-1.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x"), "application/octet-stream");
    }
}
