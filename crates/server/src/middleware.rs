//! The layers every request passes: a request id, a trace span that never records secrets,
//! a timeout and panic containment.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request, Response, StatusCode, header};
use std::task::{Context, Poll};
use std::time::Duration;
use tower::Service;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

/// The header that carries the request id, in and out.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How long one request may take before it is answered 408.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Wraps `router` in the common layers. The outermost layer runs first.
pub(crate) fn wrap(router: Router) -> Router {
    router
        // Reads that follow each other without a wait share one snapshot: the bearer check
        // and the page it opens read in one transaction, not two.
        .layer(tower::layer::layer_fn(ReadScoped))
        // Personal data is never cached, and no response is content-sniffed; routes that may
        // be cached (the stylesheet) say so themselves.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(make_span)
                .on_request(())
                .on_response(on_response),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(SetSensitiveHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
            header::SET_COOKIE,
            header::PROXY_AUTHORIZATION,
        ]))
}

/// Runs each request in a read scope ([`paceline_domain::read_scope`]).
#[derive(Clone)]
struct ReadScoped<S>(S);

impl<S: Service<Request<Body>>> Service<Request<Body>> for ReadScoped<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = paceline_domain::read_scope::Scoped<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        paceline_domain::read_scope::scoped(self.0.call(request))
    }
}

/// The span of one request: method, path and request id. Never the query string, which may
/// carry authorization codes, and never headers, which may carry tokens.
fn make_span(request: &Request<Body>) -> Span {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    )
}

fn on_response(response: &Response<Body>, latency: Duration, _span: &Span) {
    let status = response.status().as_u16();
    let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    if response.status().is_server_error() {
        tracing::error!(status, latency_us = micros, "request failed");
    } else {
        tracing::info!(status, latency_us = micros, "request done");
    }
}

/// A panicking handler answers an opaque 500; the panic is logged, never sent.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "handler panicked");
    let mut response = Response::new(Body::from(r#"{"error":"internal server error"}"#));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
