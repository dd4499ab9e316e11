//! The live run's HTTP server (axum): the wallboard page and its assets
//! (in the binary: it works offline), the snapshot (`GET /api/state`) and
//! its stream of server-sent events (`GET /api/stream`), the call-event
//! stream (`GET /api/events`, JSON lines), and commands (`POST
//! /api/commands`). Viewers only read what the engine thread published:
//! a slow one gets the latest snapshot when it is ready for one, and skips
//! event batches it is too slow for (told so in the stream).

use super::session::ToEngine;
use crate::command::{Command, MAX_COMMAND_BYTES};
use crate::scenario::Scenario;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use crossbeam_channel::{Sender, TrySendError};
use serde_json::json;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, oneshot, watch};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::{BroadcastStream, WatchStream};
use tokio_stream::StreamExt as _;

const INDEX: &str = include_str!("wallboard/index.html");
const SCRIPT: &str = include_str!("wallboard/wallboard.js");
const STYLE: &str = include_str!("wallboard/wallboard.css");

/// How long a command may wait for the engine before the API gives up.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// What the handlers share.
#[derive(Clone)]
pub struct Shared {
    pub sc: Arc<Scenario>,
    pub to_engine: Sender<ToEngine>,
    pub snapshot: watch::Receiver<Arc<str>>,
    /// The call-event stream (`None` once the run is over: streams end).
    pub events: Arc<Mutex<Option<broadcast::Sender<Arc<str>>>>>,
}

/// What the server answers, for a request it does not.
const ROUTES: &str = "GET /, /api/state, /api/stream, /api/events; POST /api/commands";

/// The routes.
pub fn app(shared: Shared) -> axum::Router {
    axum::Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/wallboard.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/wallboard.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route("/api/state", get(state))
        .route("/api/stream", get(stream))
        .route("/api/events", get(events))
        .route("/api/commands", post(command))
        .fallback(|| async { error(StatusCode::NOT_FOUND, format!("no such page: {ROUTES}")) })
        .method_not_allowed_fallback(|| async {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("not with this method: {ROUTES}"),
            )
        })
        // Longer bodies are refused before they are read.
        .layer(DefaultBodyLimit::max(4 * MAX_COMMAND_BYTES))
        .with_state(shared)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn state(State(s): State<Shared>) -> Response {
    let json = s.snapshot.borrow().clone();
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json.to_string(),
    )
        .into_response()
}

async fn stream(State(s): State<Shared>) -> impl IntoResponse {
    let frames = WatchStream::new(s.snapshot.clone())
        .map(|json| Ok::<Event, Infallible>(Event::default().data(&*json)));
    Sse::new(frames).keep_alive(KeepAlive::default())
}

async fn events(State(s): State<Shared>) -> Response {
    let rx = match s.events.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        Some(tx) => tx.subscribe(),
        None => return error(StatusCode::GONE, "the run is over: no more events".into()),
    };
    let lines = BroadcastStream::new(rx).map(|batch| {
        Ok::<Bytes, Infallible>(match batch {
            Ok(lines) => Bytes::copy_from_slice(lines.as_bytes()),
            Err(BroadcastStreamRecvError::Lagged(n)) => Bytes::from(format!(
                "{{\"event\":\"lagged\",\"batches_skipped\":{n}}}\n"
            )),
        })
    });
    (
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(lines),
    )
        .into_response()
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn command(
    State(s): State<Shared>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        // Over the body limit (413), or a body that failed to arrive.
        Err(e) => {
            let status = e.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("a command is at most {MAX_COMMAND_BYTES} bytes of JSON")
            } else {
                format!("cannot read the body: {}", e.body_text())
            };
            return error(status, message);
        }
    };
    let checked = std::str::from_utf8(&body)
        .map_err(|_| "the body is not UTF-8 text".to_string())
        .and_then(|text| {
            let command = Command::from_json(text)?;
            let checked = command.check(&s.sc)?;
            Ok((command, checked))
        });
    let (command, checked) = match checked {
        Ok(c) => c,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let (reply, answer) = oneshot::channel();
    match s.to_engine.try_send(ToEngine::Command {
        command,
        checked,
        reply,
    }) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many commands at once: try again".into(),
            )
        }
        Err(TrySendError::Disconnected(_)) => {
            return error(StatusCode::BAD_REQUEST, "the run is over".into())
        }
    }
    let applied = match tokio::time::timeout(COMMAND_TIMEOUT, answer).await {
        Ok(Ok(Ok(applied))) => applied,
        Ok(Ok(Err(message))) => return error(StatusCode::BAD_REQUEST, message),
        Ok(Err(_)) => return error(StatusCode::BAD_REQUEST, "the run is over".into()),
        Err(_) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the engine did not answer in time".into(),
            )
        }
    };
    let mut answer = json!({ "at_s": applied.at as f64 / 1e6 });
    if let Some(n) = applied.agents {
        answer["agents"] = json!(n);
    }
    Json(answer).into_response()
}
