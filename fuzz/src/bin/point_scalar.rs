//! AFL++ target `point_scalar`: see `shortlist_fuzz::targets::point_scalar`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        shortlist_fuzz::targets::point_scalar(data);
    });
}
