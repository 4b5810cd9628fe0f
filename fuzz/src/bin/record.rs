//! AFL++ target `record`: see `shortlist_fuzz::targets::record`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        shortlist_fuzz::targets::record(data);
    });
}
