//! AFL++ target `json_bodies`: see `shortlist_fuzz::targets::json_bodies`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        shortlist_fuzz::targets::json_bodies(data);
    });
}
