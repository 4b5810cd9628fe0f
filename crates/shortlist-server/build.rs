//! Embeds the web pages' assets: every file under `web/assets/` is served at
//! `/assets/…` and every file under `web/pkg/` (the WebAssembly build of the
//! core, committed by its own branch) at `/assets/pkg/…`. A folder that does
//! not exist yet embeds nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(read) = std::fs::read_dir(dir) else { return };
    let mut items: Vec<_> = read.filter_map(Result::ok).collect();
    items.sort_by_key(|e| e.file_name());
    for item in items {
        let path = item.path();
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, &format!("{prefix}{name}/"), out);
        } else {
            out.push((format!("{prefix}{name}"), path));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let web = manifest.join("../../web");
    println!("cargo:rerun-if-changed={}", web.join("assets").display());
    println!("cargo:rerun-if-changed={}", web.join("pkg").display());
    let mut files = Vec::new();
    walk(&web.join("assets"), "/assets/", &mut files);
    walk(&web.join("pkg"), "/assets/pkg/", &mut files);
    let mut code = String::from(
        "/// Every embedded asset: its URL path and its bytes.\npub static ASSETS: &[(&str, &[u8])] = &[\n",
    );
    for (url, path) in files {
        let abs = path.canonicalize().unwrap_or(path);
        let _ = writeln!(code, "    ({url:?}, include_bytes!({:?})),", abs.display().to_string());
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("web_assets.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
