//! The organisation's word about its consoles: the session types a signed-in CSR may start,
//! the certificates the site signs for a console's endpoint and a type, and the keys agents
//! check those certificates with.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use deskside_proto::cert::{CertBody, Certificate};
use deskside_proto::site::{Issued, Keys, NewCertificate, SessionTypeInfo, SessionTypes};

use crate::api::{ApiError, check, parse, signed_in};
use crate::code::Limit;
use crate::store::Counted;
use crate::{App, CERT_LIFETIME_S};

/// `GET /api/v1/keys` (no account).
pub(crate) async fn keys(State(app): State<Arc<App>>) -> Result<Json<Keys>, ApiError> {
    let org = app.store.organisation().await?.ok_or(ApiError::Internal)?;
    Ok(Json(Keys { organisation: org.name, keys: app.store.published_hex((app.clock)(), CERT_LIFETIME_S).await? }))
}

/// `GET /api/v1/session-types` (signed in): the types offered now.
pub(crate) async fn session_types(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Json<SessionTypes>, ApiError> {
    signed_in(&app, &headers, (app.clock)()).await?;
    let types = app.store.session_types(false).await?;
    Ok(Json(SessionTypes {
        types: types
            .into_iter()
            .map(|t| SessionTypeInfo {
                id: t.id,
                name: t.name,
                tracking_required: t.tracking_required,
                tools: t.tools.iter().map(|k| k.key().to_owned()).collect(),
            })
            .collect(),
    }))
}

/// `GET /api/v1/relays` (signed in): the team's relays, for the console's invites.
pub(crate) async fn relays(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Json<deskside_proto::site::RelayList>, ApiError> {
    signed_in(&app, &headers, (app.clock)()).await?;
    Ok(Json(app.store.relays().await?))
}

/// `POST /api/v1/certificate {"endpoint", "session_type"}` (signed in): the organisation's
/// certificate that this CSR, at this console's endpoint, runs a session of this type.
pub(crate) async fn certificate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Issued>, ApiError> {
    let now = (app.clock)();
    let (account, _) = signed_in(&app, &headers, now).await?;
    let req: NewCertificate = parse(&body)?;
    let endpoint: [u8; 32] = hex::decode(&req.endpoint)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ApiError::Bad("bad_endpoint", "The console's endpoint id is not 64 hex digits.".to_owned()))?;
    let key = account.id.to_string();
    check(&app, Counted::CertificateForCsr, &key, Limit::CERTIFICATES_PER_CSR, now).await?;
    let kind = app.store.session_type(req.session_type).await?.filter(|t| !t.archived).ok_or(ApiError::NotFound(
        "unknown_session_type",
        "This session type is not offered any more. Please choose another one.",
    ))?;
    let org = app.store.organisation().await?.ok_or(ApiError::Internal)?;
    let signer = app.store.signing_key().await?.ok_or(ApiError::Internal)?;
    let expires = now + CERT_LIFETIME_S;
    let cert = Certificate::sign(
        &signer.secret,
        &CertBody {
            endpoint,
            csr_name: account.display_name,
            organisation: org.name,
            site_address: org.site_address,
            session_type: kind.name,
            tools: kind.tools,
            issued_unix_s: now,
            expires_unix_s: expires,
        },
    );
    app.store.add_attempt(Counted::CertificateForCsr, &key, now).await?;
    tracing::info!(account = account.id, session_type = kind.id, "certificate issued");
    Ok(Json(Issued { certificate: cert.to_hex(), expires_unix_s: expires }))
}
