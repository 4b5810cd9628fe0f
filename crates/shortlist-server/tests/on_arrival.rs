//! The lifecycle's rules judged when a request arrives, before its costly
//! part (issue 12; spec: api §5): closing nominations says "too early"
//! before it judges the definition, and a repeat in any phase; opening
//! voting says the phase before it reads the ceremony; a decryption share
//! before the aggregate is refused before its proofs are looked at.

mod common;

use common::*;
use shortlist_board::entry::EntryKind;
use shortlist_board::payload::TrusteeMessage;
use shortlist_client::board::PollView;
use shortlist_client::ClientError;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_server::clock::ManualClock;

fn refused(e: ClientError) -> (u16, String) {
    match e {
        ClientError::Server { status, code, .. } => (status, code),
        other => panic!("expected a refusal, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_on_arrival_keep_their_codes() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api("on-arrival");
    let people = People::new(5);
    api.create_poll(&manifest("on-arrival", &people)).await.unwrap();

    // No candidates yet: before nc that is "too early", not an invalid definition.
    let close = || api.action("/nominations/close");
    assert_eq!(refused(close().await.unwrap_err()), (409, "timetable".into()));
    // The definition is judged only from nc on.
    clock.set(T0 + 100);
    assert_eq!(refused(close().await.unwrap_err()), (409, "invalid_definition".into()));
    // Opening voting without a definition: the phase, before the ceremony.
    assert_eq!(refused(api.action("/voting/open").await.unwrap_err()), (409, "wrong_phase".into()));

    // A well-signed decryption share before any aggregate: wrong_phase.
    let view = PollView::fetch(&api).await.unwrap();
    let msg = TrusteeMessage::sign(
        &people.trustee_keys[0],
        &view.manifest_hash,
        EntryKind::DecryptionShare,
        1,
        vec![0u8; 8],
    );
    let err = api.trustee_message("decryption", &msg.to_bytes()).await.unwrap_err();
    assert_eq!(refused(err), (409, "wrong_phase".into()));

    // With candidates, the definition goes on; closing again is a repeat
    // in any phase, even with the clock set back before nc.
    clock.set(T0);
    for i in 0..12 {
        let gender = if i % 2 == 0 { "woman" } else { "man" };
        api.enter_candidate(1, &format!("C{i}"), "I will serve.", &[("gender", gender)]).await.unwrap();
    }
    clock.set(T0 + 100);
    let first = close().await.unwrap();
    assert_eq!(first["repeat"], false);
    clock.set(T0 + 50);
    let again = close().await.unwrap();
    assert_eq!(again["repeat"], true);
    assert_eq!(again["entry"]["index"], first["entry"]["index"]);
    server.app.finish().await;
}
