//! Writes the seed inputs of every target into `seeds/TARGET/` (run from
//! `fuzz/`, after `shortlist simulate --voters 2 --out seeds/honest.record`).
fn main() -> std::io::Result<()> {
    let record = std::fs::read("seeds/honest.record").ok();
    shortlist_fuzz::targets::write_seeds(std::path::Path::new("seeds"), record.as_deref())
}
