/* tslint:disable */
/* eslint-disable */

/**
 * An audited ballot: the spoiled-ballot payload and what it opens to.
 */
export class AuditedBallot {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The spoiled-ballot payload to post (hex) as `{spoiled}` to
     * `POST …/audits` (spec: board §4.7).
     */
    payload(): Uint8Array;
    /**
     * What the ballot opens to, JSON: `[{contest_id, chosen: [{candidate_id,
     * name}]}]`, for the member to compare with their choice.
     */
    summaryJson(): string;
}

/**
 * A ballot whose ciphertexts are fixed (protocol §8.3 step 5), not yet
 * bound to a credential: show its fingerprint, then cast it or audit it,
 * never both.
 *
 * # Security
 * Holds the selections, randomness and proof nonces (zeroized on drop by
 * the crypto core) until it is cast or audited.
 */
export class ChosenBallot {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Opens the ballot for a Benaloh audit (protocol §8.4): the
     * spoiled-ballot payload, with no credential and no signature, to post
     * (hex) as `{spoiled}` to `POST …/audits`, and a summary of what it
     * opens to. After it the ballot can never be cast; prepare a new one.
     */
    auditPayload(): AuditedBallot;
    /**
     * The ballot proven with `credential` bound and signed for casting:
     * the bytes to post (hex) as `{ballot}` to `POST …/ballots` (board
     * §4.6). Calling it again with the same credential gives the same
     * bytes; after it the ballot can no longer be audited.
     */
    castPayload(credential: Credential): Uint8Array;
    /**
     * The ballot fingerprint (hex, board §4.7): the page shows it before
     * the member decides to cast or audit; the cast or audited ballot on
     * the board carries the same.
     */
    fingerprint(): string;
}

/**
 * A member's ed25519 credential key.
 *
 * # Security
 * The secret key is zeroized when the object is dropped (call `free()` in
 * JavaScript, or let the finalizer run); it leaves the module only through
 * [`Credential::export_secret`].
 */
export class Credential {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The secret key (64 hex digits), for the member to keep (e.g. to vote
     * again from another device). Whoever has it can vote as the member.
     */
    exportSecret(): string;
    /**
     * Registrar mode (spec: board §4.12.1): the credential key derived from
     * the registrar's credential text (nine groups of four hex digits, with
     * its check) for the poll whose manifest hash is `manifest_hash_hex`.
     */
    static fromRegistrar(text: string, manifest_hash_hex: string): Credential;
    /**
     * Restores a credential from its exported secret (64 hex digits).
     */
    static fromSecret(hex_secret: string): Credential;
    /**
     * A fresh credential key from the browser's `crypto.getRandomValues`.
     */
    static generate(): Credential;
    /**
     * The public key (hex), as registered with `POST …/credentials`.
     */
    publicKeyHex(): string;
}

/**
 * A poll read from its board entries.
 */
export class Poll {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Whether the ballot is defined and the joint key derived: a ballot can
     * be prepared.
     */
    canVote(): boolean;
    /**
     * Throws unless the manifest hash equals `expected` (hex, e.g. from the
     * booth link). The page calls this before it encrypts anything.
     */
    checkManifestHash(expected: string): void;
    /**
     * The contests in manifest order, JSON: `[{contest_id, title, seats,
     * min_selections, max_selections, slate_rules: [{attribute, value,
     * min_seats}], candidates: [{candidate_id, name, statement,
     * attributes: {key: value}}]}]`. `max_selections` is capped at the
     * number of candidates; `candidates` is empty until the ballot is defined.
     */
    contestsJson(): string;
    /**
     * Reads a poll from the JSON array of its board entries from entry 0 on
     * (every page of `GET …/entries?from=N` concatenated). Entries from the
     * first ballot on are not needed and are ignored. Throws if an entry's
     * hash is not its own, the chain is broken, or any verification step
     * fails over the entries read.
     */
    static fromEntries(json: string): Poll;
    /**
     * The manifest hash `h_M` (hex): it names the poll.
     */
    manifestHash(): string;
    /**
     * The poll id.
     */
    pollId(): string;
    /**
     * Prepares a ballot for every contest: all the scalar multiplications,
     * before the member chooses (spec: protocol §8.3 steps 1–3). Throws
     * until voting has opened on the board.
     */
    prepare(): PreparedBallot;
    /**
     * The revote policy: `"last"` (the last ballot counts) or `"first"`.
     */
    revote(): string;
    /**
     * The server's checkpoint key (hex), from the manifest.
     */
    serverKey(): string;
    /**
     * The timetable, JSON: `{nominations_close, voting_open, voting_close}`
     * in Unix seconds.
     */
    timetableJson(): string;
    /**
     * The poll's title.
     */
    title(): string;
}

/**
 * A ballot prepared before the member chooses: one prepared contest per
 * manifest contest.
 *
 * # Security
 * Holds the ballot's randomness (zeroized on drop by the crypto core). Use
 * it for one choice only: [`PreparedBallot::choose`] empties it.
 */
export class PreparedBallot {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Fixes the member's choice (protocol §8.3 steps 4–5). `selections` is
     * JSON: one list of chosen candidate ids per contest, in manifest
     * order, e.g. `[[3, 7, 12]]`. Throws (and stays usable) if the choice
     * is not valid; once it succeeds the prepared ballot is used up.
     */
    choose(selections: string): ChosenBallot;
}

/**
 * Verifies a record fed in chunks.
 */
export class RecordVerifier {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The number of bytes checked so far.
     */
    bytesRead(): number;
    /**
     * The number of entries checked so far.
     */
    entriesRead(): number;
    /**
     * Adds a checkpoint saved earlier (its 144 bytes, e.g. from a receipt):
     * it must be signed and match the record, else the two prove that the
     * server equivocated (spec: V1.1). Call before feeding.
     */
    expectCheckpoint(checkpoint: Uint8Array | number[]): void;
    /**
     * Requires the record's manifest hash to be `expected` (hex, e.g. from
     * the link the organiser published): another fails V1.3. Call before
     * feeding.
     */
    expectManifestHash(expected: string): void;
    /**
     * Reads the next chunk of the record and checks every whole frame in
     * it. Returns the number of bytes checked so far. Throws if the record
     * does not start with the record magic.
     */
    feed(chunk: Uint8Array | number[]): number;
    /**
     * Ends the record and runs the final steps. Returns the report, JSON:
     * `{passed, poll_id, manifest_hash, entries, ballots, steps: [{id, title, mark,
     * passed, checked, failed, details}], result: [{title, rows: [{rank,
     * name, votes, elected}]}], text}`, where `text` is the report as
     * `shortlist-verify` prints it. Throws if the record is not a record.
     */
    finish(): string;
    /**
     * A verifier that has read nothing.
     */
    constructor();
}

/**
 * Checks that the board of checkpoint `new_checkpoint` extends that of
 * `old_checkpoint` (board §6.1): both signed by the manifest's server key,
 * and `proof` (from `GET …/consistency?from=old&to=new`) links their roots.
 * Throws otherwise; with both signatures valid, the failure is evidence
 * that the server equivocated.
 */
export function checkConsistency(poll: Poll, old_checkpoint: Uint8Array | number[], new_checkpoint: Uint8Array | number[], proof: Uint8Array | number[]): void;

/**
 * Checks a receipt (board §6.2) against the ballot payload the page kept:
 * the tracking code, the checkpoint's signature under the manifest's
 * server key, and the ballot's inclusion under the checkpoint's root.
 * Returns the tracking code (hex); throws if any check fails.
 */
export function checkReceipt(poll: Poll, receipt: Uint8Array | number[], payload: Uint8Array | number[]): string;

/**
 * A checkpoint's fields, JSON: `{size, head, root, time}` (hex). Decoding
 * only: its signature is checked by [`check_consistency`].
 */
export function checkpointJson(checkpoint: Uint8Array | number[]): string;

/**
 * **INSECURE — for tests only.** A cast-ballot payload made with a ChaCha20
 * RNG seeded with `seed` (32 bytes): the credential key is drawn first,
 * then each contest is prepared in manifest order, chosen (`selections`
 * as for `PreparedBallot.choose`) and proven. Anyone who knows the seed
 * knows the vote and holds the credential: never use it for a real ballot.
 */
export function insecureSeededBallotForTests(poll: Poll, seed: Uint8Array | number[], selections: string): Uint8Array;

/**
 * A receipt's fields, JSON: `{tracking_code, index, time, checkpoint}`
 * (hex; `checkpoint` the 144 bytes of its signed checkpoint). Decoding
 * only: use [`check_receipt`] to check it.
 */
export function receiptJson(receipt: Uint8Array | number[]): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_auditedballot_free: (a: number, b: number) => void;
    readonly __wbg_chosenballot_free: (a: number, b: number) => void;
    readonly __wbg_credential_free: (a: number, b: number) => void;
    readonly __wbg_poll_free: (a: number, b: number) => void;
    readonly __wbg_preparedballot_free: (a: number, b: number) => void;
    readonly __wbg_recordverifier_free: (a: number, b: number) => void;
    readonly auditedballot_payload: (a: number) => [number, number];
    readonly auditedballot_summaryJson: (a: number) => [number, number];
    readonly checkConsistency: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => [number, number];
    readonly checkReceipt: (a: number, b: number, c: number, d: number, e: number) => [number, number, number, number];
    readonly checkpointJson: (a: number, b: number) => [number, number, number, number];
    readonly chosenballot_auditPayload: (a: number) => [number, number, number];
    readonly chosenballot_castPayload: (a: number, b: number) => [number, number, number, number];
    readonly chosenballot_fingerprint: (a: number) => [number, number];
    readonly credential_exportSecret: (a: number) => [number, number];
    readonly credential_fromRegistrar: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly credential_fromSecret: (a: number, b: number) => [number, number, number];
    readonly credential_generate: () => number;
    readonly credential_publicKeyHex: (a: number) => [number, number];
    readonly insecureSeededBallotForTests: (a: number, b: number, c: number, d: number, e: number) => [number, number, number, number];
    readonly poll_canVote: (a: number) => number;
    readonly poll_checkManifestHash: (a: number, b: number, c: number) => [number, number];
    readonly poll_contestsJson: (a: number) => [number, number, number, number];
    readonly poll_fromEntries: (a: number, b: number) => [number, number, number];
    readonly poll_manifestHash: (a: number) => [number, number];
    readonly poll_pollId: (a: number) => [number, number];
    readonly poll_prepare: (a: number) => [number, number, number];
    readonly poll_revote: (a: number) => [number, number];
    readonly poll_serverKey: (a: number) => [number, number];
    readonly poll_timetableJson: (a: number) => [number, number];
    readonly poll_title: (a: number) => [number, number];
    readonly preparedballot_choose: (a: number, b: number, c: number) => [number, number, number];
    readonly receiptJson: (a: number, b: number) => [number, number, number, number];
    readonly recordverifier_bytesRead: (a: number) => number;
    readonly recordverifier_entriesRead: (a: number) => number;
    readonly recordverifier_expectCheckpoint: (a: number, b: number, c: number) => [number, number];
    readonly recordverifier_expectManifestHash: (a: number, b: number, c: number) => [number, number];
    readonly recordverifier_feed: (a: number, b: number, c: number) => [number, number, number];
    readonly recordverifier_finish: (a: number) => [number, number, number, number];
    readonly recordverifier_new: () => number;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
