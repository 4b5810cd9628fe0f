//! The committed `web/pkg` must be built from the sources as they are: this
//! test recomputes the input hash that `scripts/build-wasm` writes on the
//! first line of `web/pkg/STAMP` (the same files, the same `sha256sum`
//! lines) and fails if they differ. `scripts/build-wasm --check` goes
//! further: it rebuilds and compares the files byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The crates `web/pkg` is built from (as `CRATES` in `scripts/build-wasm`).
const CRATES: [&str; 4] = ["shortlist-crypto", "shortlist-board", "shortlist-client", "shortlist-wasm"];

fn files_under(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(root.join(dir)).unwrap() {
        let e = e.unwrap();
        let rel = dir.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            files_under(root, &rel, out);
        } else {
            out.push(rel.to_str().unwrap().to_string());
        }
    }
}

/// SHA-256 over `sha256sum` lines of the inputs, sorted by path bytes.
fn input_hash(root: &Path) -> String {
    let mut files: Vec<String> =
        ["Cargo.toml", "Cargo.lock", "scripts/build-wasm"].map(String::from).to_vec();
    for c in CRATES {
        files.push(format!("crates/{c}/Cargo.toml"));
        files_under(root, &PathBuf::from(format!("crates/{c}/src")), &mut files);
    }
    files.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let mut lines = Sha256::new();
    for f in &files {
        let digest = Sha256::digest(std::fs::read(root.join(f)).unwrap());
        lines.update(format!("{}  {f}\n", hex::encode(digest)));
    }
    hex::encode(lines.finalize())
}

#[test]
fn web_pkg_is_built_from_these_sources() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let stamp = std::fs::read_to_string(root.join("web/pkg/STAMP"))
        .expect("web/pkg/STAMP is missing: run scripts/build-wasm");
    let recorded = stamp.lines().find_map(|l| l.strip_prefix("inputs ")).unwrap_or_default();
    let now = input_hash(&root);
    assert_eq!(recorded, now, "web/pkg is stale: run scripts/build-wasm (and commit web/pkg)");
    // The toolchain is recorded, not enforced here: another rustc may build
    // other bytes from the same sources, which `scripts/build-wasm --check` reports.
    if let Ok(out) = std::process::Command::new("rustc").arg("-V").output() {
        let rustc = String::from_utf8_lossy(&out.stdout);
        let built_with = stamp.lines().find_map(|l| l.strip_prefix("rustc ")).unwrap_or_default();
        if built_with != rustc.trim() {
            eprintln!("note: web/pkg was built with {built_with}, this is {}", rustc.trim());
        }
    }
}
