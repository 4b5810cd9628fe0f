//! Every merlin label of the protocol, in one place; mirrors spec §4.

/// The label given to `Transcript::new` for every transcript (spec: §4.1).
pub const PROTOCOL: &[u8] = b"shortlist";
/// The protocol version absorbed right after the protocol label (spec: §4.1).
pub const PROTOCOL_VERSION: u64 = 1;
/// Label of the version append.
pub const VERSION: &[u8] = b"version";
/// Label of every domain separator append.
pub const DOM_SEP: &[u8] = b"dom-sep";

/// Context: the manifest hash.
pub const MANIFEST: &[u8] = b"manifest";
/// Context: the ballot definition hash.
pub const DEFINITION: &[u8] = b"definition";
/// Context: the joint election public key.
pub const JOINT_KEY: &[u8] = b"joint-key";
/// Context: a contest id.
pub const CONTEST: &[u8] = b"contest";
/// Context: the voter's credential public key.
pub const CREDENTIAL: &[u8] = b"credential";
/// Context: a trustee index.
pub const TRUSTEE: &[u8] = b"trustee";
/// Context: the number of trustees n.
pub const TRUSTEES_N: &[u8] = b"n";
/// Context: the threshold t.
pub const THRESHOLD_T: &[u8] = b"t";
/// A count of items (candidates, branches, ciphertexts).
pub const COUNT: &[u8] = b"count";
/// The index of an item inside a larger statement.
pub const INDEX: &[u8] = b"index";

/// Domain separator of the ballot context (spec: §4.3).
pub const DS_BALLOT: &[u8] = b"ballot";
/// Domain separator of the key ceremony context (spec: §4.4).
pub const DS_CEREMONY: &[u8] = b"key-ceremony";
/// Domain separator of the decryption context (spec: §4.5).
pub const DS_DECRYPTION: &[u8] = b"decryption";

/// Domain separator of the Schnorr proof of knowledge (spec: §5.1).
pub const DS_SCHNORR: &[u8] = b"schnorr-pok";
/// Domain separator of the Chaum–Pedersen proof (spec: §5.2).
pub const DS_DLEQ: &[u8] = b"chaum-pedersen";
/// Domain separator of the 0-or-1 proof (spec: §5.3).
pub const DS_BIT: &[u8] = b"bit-proof";
/// Domain separator of the contest-total range proof (spec: §5.4).
pub const DS_RANGE: &[u8] = b"range-proof";

/// Statement: a public key or other point of which a discrete log is known.
pub const STMT_KEY: &[u8] = b"X";
/// Statement: first base of a Chaum–Pedersen proof.
pub const STMT_BASE1: &[u8] = b"G1";
/// Statement: first image of a Chaum–Pedersen proof.
pub const STMT_IMAGE1: &[u8] = b"X1";
/// Statement: second base of a Chaum–Pedersen proof.
pub const STMT_BASE2: &[u8] = b"G2";
/// Statement: second image of a Chaum–Pedersen proof.
pub const STMT_IMAGE2: &[u8] = b"X2";
/// Statement: ciphertext first component.
pub const STMT_CT_A: &[u8] = b"ct-a";
/// Statement: ciphertext second component.
pub const STMT_CT_B: &[u8] = b"ct-b";
/// Statement: lower bound of a range.
pub const STMT_MIN: &[u8] = b"min";
/// Statement: upper bound of a range.
pub const STMT_MAX: &[u8] = b"max";

/// Commitment labels.
pub const COMMIT_R: &[u8] = b"R";
/// Commitment: first Chaum–Pedersen commitment.
pub const COMMIT_R1: &[u8] = b"R1";
/// Commitment: second Chaum–Pedersen commitment.
pub const COMMIT_R2: &[u8] = b"R2";
/// Commitment: the `a` (G-side) commitment of a disjunct.
pub const COMMIT_A: &[u8] = b"a";
/// Commitment: the `b` (key-side) commitment of a disjunct.
pub const COMMIT_B: &[u8] = b"b";

/// Label of the challenge squeezed from a transcript.
pub const CHALLENGE: &[u8] = b"challenge";
/// Label under which a prover rekeys its hedged nonce RNG with a witness
/// scalar; never absorbed by a verifier (spec: §4.6).
pub const WITNESS: &[u8] = b"witness";

/// HKDF info prefix for key-ceremony share encryption (spec: §6.3).
pub const HKDF_SHARE_INFO: &[u8] = b"shortlist/v1/share-encryption";

/// Domain separator of a key-ceremony complaint (spec: §6.4).
pub const DS_COMPLAINT: &[u8] = b"complaint";
/// Context: the sender of a key-ceremony share.
pub const SENDER: &[u8] = b"sender";
/// Context: the recipient of a key-ceremony share.
pub const RECIPIENT: &[u8] = b"recipient";
/// Statement: a Feldman coefficient commitment.
pub const STMT_COEFF: &[u8] = b"C";
/// Statement: a trustee's share-encryption key.
pub const STMT_ENC_KEY: &[u8] = b"E";

/// Domain separator of the weights of an audit check (spec: §8.4).
pub const DS_AUDIT: &[u8] = b"audit-weights";
