//! A roll's facts as bytes, for a saved verifier state (spec: board §8.6):
//! the registered credentials, what each has cast, and every contest
//! fingerprint, each as a u64 count then its items. The phase, timetable and
//! revote policy are not saved: the verifier sets them before every use.

use super::{Cast, Fingerprint, Roll};
use crate::codec::{saved_count as count, Reader, Writer};
use crate::error::Result;

impl Roll {
    /// Appends the roll's facts.
    pub(crate) fn write_state(&self, w: &mut Writer) {
        w.u64(u64::try_from(self.registered.len()).unwrap_or(u64::MAX));
        for (cred, at) in &self.registered {
            w.fixed(cred).u64(*at);
        }
        w.u64(u64::try_from(self.cast.len()).unwrap_or(u64::MAX));
        for (cred, c) in &self.cast {
            w.fixed(cred).u64(c.ballots).u64(c.counts);
        }
        w.u64(u64::try_from(self.fingerprints.len()).unwrap_or(u64::MAX));
        for (f, p) in &self.fingerprints {
            w.fixed(f).u64(p.at).u8(u8::from(p.cast));
        }
    }

    /// Reads the facts [`Self::write_state`] wrote into this roll.
    pub(crate) fn read_state(&mut self, r: &mut Reader<'_>) -> Result<()> {
        for _ in 0..count(r)? {
            let cred = r.fixed::<32>()?;
            self.registered.insert(cred, r.u64()?);
        }
        for _ in 0..count(r)? {
            let cred = r.fixed::<32>()?;
            let (ballots, counts) = (r.u64()?, r.u64()?);
            self.cast.insert(cred, Cast { ballots, counts });
        }
        for _ in 0..count(r)? {
            let f = r.fixed::<32>()?;
            let at = r.u64()?;
            let cast = r.u8()? != 0;
            self.fingerprints.insert(f, Fingerprint { at, cast });
        }
        Ok(())
    }
}
