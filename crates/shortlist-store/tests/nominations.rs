//! Expressions of interest come back in arrival order (spec: api §4), also
//! when several arrive in the same second: the order once depended on the
//! token hashes, which made the list's order random within a second. On
//! SQLite, and on PostgreSQL when `DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use shortlist_store::{NewNomination, Store};

async fn same_second_in_arrival_order(store: &Store, poll: &str) {
    assert!(store.create_poll(poll, b"manifest", &[7; 32], 100).await.unwrap());
    // Hashes in the opposite order to their arrival, all in one second.
    let hashes = [[0xf0u8; 32], [0x80; 32], [0x10; 32]];
    for (i, h) in hashes.iter().enumerate() {
        let name = format!("Candidate {i}");
        let n = NewNomination {
            token_hash: *h,
            contest_id: 1,
            name: &name,
            statement: "",
            attributes_json: "{}",
            submitted_at: 1_000,
        };
        assert!(store.put_nomination(poll, &n).await.unwrap());
    }
    let names: Vec<String> = store.nominations(poll).await.unwrap().into_iter().map(|n| n.name).collect();
    assert_eq!(names, ["Candidate 0", "Candidate 1", "Candidate 2"]);
    // A replaced pending one counts from its latest version (api §4).
    let again = NewNomination {
        token_hash: hashes[0],
        contest_id: 1,
        name: "Candidate 0, amended",
        statement: "",
        attributes_json: "{}",
        submitted_at: 1_000,
    };
    assert!(store.put_nomination(poll, &again).await.unwrap());
    let names: Vec<String> = store.nominations(poll).await.unwrap().into_iter().map(|n| n.name).collect();
    assert_eq!(names, ["Candidate 1", "Candidate 2", "Candidate 0, amended"]);
}

#[tokio::test]
async fn nominations_in_one_second_keep_their_arrival_order() {
    let dir = std::env::temp_dir().join(format!("shortlist-store-nominations-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("s.db").display())).await.unwrap();
    same_second_in_arrival_order(&store, "arrivals").await;
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let store = Store::open(&url).await.unwrap();
        let poll = format!("arrivals-{}", std::process::id());
        same_second_in_arrival_order(&store, &poll).await;
    }
}
