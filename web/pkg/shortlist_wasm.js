/* @ts-self-types="./shortlist_wasm.d.ts" */

/**
 * An audited ballot: the spoiled-ballot payload and what it opens to.
 */
export class AuditedBallot {
    static __wrap(ptr) {
        const obj = Object.create(AuditedBallot.prototype);
        obj.__wbg_ptr = ptr;
        AuditedBallotFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        AuditedBallotFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_auditedballot_free(ptr, 0);
    }
    /**
     * The spoiled-ballot payload to post (hex) as `{spoiled}` to
     * `POST …/audits` (spec: board §4.7).
     * @returns {Uint8Array}
     */
    payload() {
        const ret = wasm.auditedballot_payload(this.__wbg_ptr);
        var v1 = getArrayU8FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 1, 1);
        return v1;
    }
    /**
     * What the ballot opens to, JSON: `[{contest_id, chosen: [{candidate_id,
     * name}]}]`, for the member to compare with their choice.
     * @returns {string}
     */
    summaryJson() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.auditedballot_summaryJson(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
}
if (Symbol.dispose) AuditedBallot.prototype[Symbol.dispose] = AuditedBallot.prototype.free;

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
    static __wrap(ptr) {
        const obj = Object.create(ChosenBallot.prototype);
        obj.__wbg_ptr = ptr;
        ChosenBallotFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        ChosenBallotFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_chosenballot_free(ptr, 0);
    }
    /**
     * Opens the ballot for a Benaloh audit (protocol §8.4): the
     * spoiled-ballot payload, with no credential and no signature, to post
     * (hex) as `{spoiled}` to `POST …/audits`, and a summary of what it
     * opens to. After it the ballot can never be cast; prepare a new one.
     * @returns {AuditedBallot}
     */
    auditPayload() {
        const ret = wasm.chosenballot_auditPayload(this.__wbg_ptr);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return AuditedBallot.__wrap(ret[0]);
    }
    /**
     * The ballot proven with `credential` bound and signed for casting:
     * the bytes to post (hex) as `{ballot}` to `POST …/ballots` (board
     * §4.6). Calling it again with the same credential gives the same
     * bytes; after it the ballot can no longer be audited.
     * @param {Credential} credential
     * @returns {Uint8Array}
     */
    castPayload(credential) {
        _assertClass(credential, Credential);
        const ret = wasm.chosenballot_castPayload(this.__wbg_ptr, credential.__wbg_ptr);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        var v1 = getArrayU8FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 1, 1);
        return v1;
    }
    /**
     * The ballot fingerprint (hex, board §4.7): the page shows it before
     * the member decides to cast or audit; the cast or audited ballot on
     * the board carries the same.
     * @returns {string}
     */
    fingerprint() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.chosenballot_fingerprint(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
}
if (Symbol.dispose) ChosenBallot.prototype[Symbol.dispose] = ChosenBallot.prototype.free;

/**
 * A member's ed25519 credential key.
 *
 * # Security
 * The secret key is zeroized when the object is dropped (call `free()` in
 * JavaScript, or let the finalizer run); it leaves the module only through
 * [`Credential::export_secret`].
 */
export class Credential {
    static __wrap(ptr) {
        const obj = Object.create(Credential.prototype);
        obj.__wbg_ptr = ptr;
        CredentialFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        CredentialFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_credential_free(ptr, 0);
    }
    /**
     * The secret key (64 hex digits), for the member to keep (e.g. to vote
     * again from another device). Whoever has it can vote as the member.
     * @returns {string}
     */
    exportSecret() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.credential_exportSecret(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * Registrar mode (spec: board §4.12.1): the credential key derived from
     * the registrar's credential text (nine groups of four hex digits, with
     * its check) for the poll whose manifest hash is `manifest_hash_hex`.
     * @param {string} text
     * @param {string} manifest_hash_hex
     * @returns {Credential}
     */
    static fromRegistrar(text, manifest_hash_hex) {
        let ptr0, len0, ptr1, len1;
        try {
            ptr0 = passStringToWasm0(text, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(manifest_hash_hex, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.credential_fromRegistrar(ptr0, len0, ptr1, len1);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return Credential.__wrap(ret[0]);
    }
    /**
     * Restores a credential from its exported secret (64 hex digits).
     * @param {string} hex_secret
     * @returns {Credential}
     */
    static fromSecret(hex_secret) {
        const ptr0 = passStringToWasm0(hex_secret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.credential_fromSecret(ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return Credential.__wrap(ret[0]);
    }
    /**
     * A fresh credential key from the browser's `crypto.getRandomValues`.
     * @returns {Credential}
     */
    static generate() {
        const ret = wasm.credential_generate();
        return Credential.__wrap(ret);
    }
    /**
     * The public key (hex), as registered with `POST …/credentials`.
     * @returns {string}
     */
    publicKeyHex() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.credential_publicKeyHex(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
}
if (Symbol.dispose) Credential.prototype[Symbol.dispose] = Credential.prototype.free;

/**
 * A poll read from its board entries.
 */
export class Poll {
    static __wrap(ptr) {
        const obj = Object.create(Poll.prototype);
        obj.__wbg_ptr = ptr;
        PollFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        PollFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_poll_free(ptr, 0);
    }
    /**
     * Whether the ballot is defined and the joint key derived: a ballot can
     * be prepared.
     * @returns {boolean}
     */
    canVote() {
        const ret = wasm.poll_canVote(this.__wbg_ptr);
        return ret !== 0;
    }
    /**
     * Throws unless the manifest hash equals `expected` (hex, e.g. from the
     * booth link). The page calls this before it encrypts anything.
     * @param {string} expected
     */
    checkManifestHash(expected) {
        const ptr0 = passStringToWasm0(expected, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.poll_checkManifestHash(this.__wbg_ptr, ptr0, len0);
        if (ret[1]) {
            throw takeFromExternrefTable0(ret[0]);
        }
    }
    /**
     * The contests in manifest order, JSON: `[{contest_id, title, seats,
     * min_selections, max_selections, slate_rules: [{attribute, value,
     * min_seats}], candidates: [{candidate_id, name, statement,
     * attributes: {key: value}}]}]`. `max_selections` is capped at the
     * number of candidates; `candidates` is empty until the ballot is defined.
     * @returns {string}
     */
    contestsJson() {
        let deferred2_0;
        let deferred2_1;
        try {
            const ret = wasm.poll_contestsJson(this.__wbg_ptr);
            var ptr1 = ret[0];
            var len1 = ret[1];
            if (ret[3]) {
                ptr1 = 0; len1 = 0;
                throw takeFromExternrefTable0(ret[2]);
            }
            deferred2_0 = ptr1;
            deferred2_1 = len1;
            return getStringFromWasm0(ptr1, len1);
        } finally {
            wasm.__wbindgen_free(deferred2_0, deferred2_1, 1);
        }
    }
    /**
     * Reads a poll from the JSON array of its board entries from entry 0 on
     * (every page of `GET …/entries?from=N` concatenated). Entries from the
     * first ballot on are not needed and are ignored. Throws if an entry's
     * hash is not its own, the chain is broken, or any verification step
     * fails over the entries read.
     * @param {string} json
     * @returns {Poll}
     */
    static fromEntries(json) {
        const ptr0 = passStringToWasm0(json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.poll_fromEntries(ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return Poll.__wrap(ret[0]);
    }
    /**
     * The manifest hash `h_M` (hex): it names the poll.
     * @returns {string}
     */
    manifestHash() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.poll_manifestHash(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The poll id.
     * @returns {string}
     */
    pollId() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.poll_pollId(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * Prepares a ballot for every contest: all the scalar multiplications,
     * before the member chooses (spec: protocol §8.3 steps 1–3). Throws
     * until voting has opened on the board.
     * @returns {PreparedBallot}
     */
    prepare() {
        const ret = wasm.poll_prepare(this.__wbg_ptr);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return PreparedBallot.__wrap(ret[0]);
    }
    /**
     * The revote policy: `"last"` (the last ballot counts) or `"first"`.
     * @returns {string}
     */
    revote() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.poll_revote(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The server's checkpoint key (hex), from the manifest.
     * @returns {string}
     */
    serverKey() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.poll_serverKey(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The timetable, JSON: `{nominations_close, voting_open, voting_close}`
     * in Unix seconds.
     * @returns {string}
     */
    timetableJson() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.poll_timetableJson(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The poll's title.
     * @returns {string}
     */
    title() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.poll_title(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
}
if (Symbol.dispose) Poll.prototype[Symbol.dispose] = Poll.prototype.free;

/**
 * A ballot prepared before the member chooses: one prepared contest per
 * manifest contest.
 *
 * # Security
 * Holds the ballot's randomness (zeroized on drop by the crypto core). Use
 * it for one choice only: [`PreparedBallot::choose`] empties it.
 */
export class PreparedBallot {
    static __wrap(ptr) {
        const obj = Object.create(PreparedBallot.prototype);
        obj.__wbg_ptr = ptr;
        PreparedBallotFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        PreparedBallotFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_preparedballot_free(ptr, 0);
    }
    /**
     * Fixes the member's choice (protocol §8.3 steps 4–5). `selections` is
     * JSON: one list of chosen candidate ids per contest, in manifest
     * order, e.g. `[[3, 7, 12]]`. Throws (and stays usable) if the choice
     * is not valid; once it succeeds the prepared ballot is used up.
     * @param {string} selections
     * @returns {ChosenBallot}
     */
    choose(selections) {
        const ptr0 = passStringToWasm0(selections, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.preparedballot_choose(this.__wbg_ptr, ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ChosenBallot.__wrap(ret[0]);
    }
}
if (Symbol.dispose) PreparedBallot.prototype[Symbol.dispose] = PreparedBallot.prototype.free;

/**
 * Verifies a record fed in chunks.
 */
export class RecordVerifier {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        RecordVerifierFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_recordverifier_free(ptr, 0);
    }
    /**
     * The number of bytes checked so far.
     * @returns {number}
     */
    bytesRead() {
        const ret = wasm.recordverifier_bytesRead(this.__wbg_ptr);
        return ret;
    }
    /**
     * The number of entries checked so far.
     * @returns {number}
     */
    entriesRead() {
        const ret = wasm.recordverifier_entriesRead(this.__wbg_ptr);
        return ret;
    }
    /**
     * Adds a checkpoint saved earlier (its 144 bytes, e.g. from a receipt):
     * it must be signed and match the record, else the two prove that the
     * server equivocated (spec: V1.1). Call before feeding.
     * @param {Uint8Array | number[]} checkpoint
     */
    expectCheckpoint(checkpoint) {
        const ptr0 = passArray8ToWasm0(checkpoint, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.recordverifier_expectCheckpoint(this.__wbg_ptr, ptr0, len0);
        if (ret[1]) {
            throw takeFromExternrefTable0(ret[0]);
        }
    }
    /**
     * Requires the record's manifest hash to be `expected` (hex, e.g. from
     * the link the organiser published): another fails V1.3. Call before
     * feeding.
     * @param {string} expected
     */
    expectManifestHash(expected) {
        const ptr0 = passStringToWasm0(expected, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.recordverifier_expectManifestHash(this.__wbg_ptr, ptr0, len0);
        if (ret[1]) {
            throw takeFromExternrefTable0(ret[0]);
        }
    }
    /**
     * Reads the next chunk of the record and checks every whole frame in
     * it. Returns the number of bytes checked so far. Throws if the record
     * does not start with the record magic.
     * @param {Uint8Array | number[]} chunk
     * @returns {number}
     */
    feed(chunk) {
        const ptr0 = passArray8ToWasm0(chunk, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.recordverifier_feed(this.__wbg_ptr, ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
    /**
     * Ends the record and runs the final steps. Returns the report, JSON:
     * `{passed, poll_id, manifest_hash, entries, ballots, steps: [{id, title, mark,
     * passed, checked, failed, details}], result: [{title, rows: [{rank,
     * name, votes, elected}]}], text}`, where `text` is the report as
     * `shortlist-verify` prints it. Throws if the record is not a record.
     * @returns {string}
     */
    finish() {
        let deferred2_0;
        let deferred2_1;
        try {
            const ret = wasm.recordverifier_finish(this.__wbg_ptr);
            var ptr1 = ret[0];
            var len1 = ret[1];
            if (ret[3]) {
                ptr1 = 0; len1 = 0;
                throw takeFromExternrefTable0(ret[2]);
            }
            deferred2_0 = ptr1;
            deferred2_1 = len1;
            return getStringFromWasm0(ptr1, len1);
        } finally {
            wasm.__wbindgen_free(deferred2_0, deferred2_1, 1);
        }
    }
    /**
     * A verifier that has read nothing.
     */
    constructor() {
        const ret = wasm.recordverifier_new();
        this.__wbg_ptr = ret;
        RecordVerifierFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
}
if (Symbol.dispose) RecordVerifier.prototype[Symbol.dispose] = RecordVerifier.prototype.free;

/**
 * Checks that the board of checkpoint `new_checkpoint` extends that of
 * `old_checkpoint` (board §6.1): both signed by the manifest's server key,
 * and `proof` (from `GET …/consistency?from=old&to=new`) links their roots.
 * Throws otherwise; with both signatures valid, the failure is evidence
 * that the server equivocated.
 * @param {Poll} poll
 * @param {Uint8Array | number[]} old_checkpoint
 * @param {Uint8Array | number[]} new_checkpoint
 * @param {Uint8Array | number[]} proof
 */
export function checkConsistency(poll, old_checkpoint, new_checkpoint, proof) {
    _assertClass(poll, Poll);
    let ptr0, len0, ptr1, len1, ptr2, len2;
    try {
        ptr0 = passArray8ToWasm0(old_checkpoint, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArray8ToWasm0(new_checkpoint, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
        ptr2 = passArray8ToWasm0(proof, wasm.__wbindgen_malloc);
        len2 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); }
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.checkConsistency(poll.__wbg_ptr, ptr0, len0, ptr1, len1, ptr2, len2);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Checks a receipt (board §6.2) against the ballot payload the page kept:
 * the tracking code, the checkpoint's signature under the manifest's
 * server key, and the ballot's inclusion under the checkpoint's root.
 * Returns the tracking code (hex); throws if any check fails.
 * @param {Poll} poll
 * @param {Uint8Array | number[]} receipt
 * @param {Uint8Array | number[]} payload
 * @returns {string}
 */
export function checkReceipt(poll, receipt, payload) {
    let deferred4_0;
    let deferred4_1;
    try {
        _assertClass(poll, Poll);
        let ptr0, len0, ptr1, len1;
        try {
            ptr0 = passArray8ToWasm0(receipt, wasm.__wbindgen_malloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passArray8ToWasm0(payload, wasm.__wbindgen_malloc);
            len1 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.checkReceipt(poll.__wbg_ptr, ptr0, len0, ptr1, len1);
        var ptr3 = ret[0];
        var len3 = ret[1];
        if (ret[3]) {
            ptr3 = 0; len3 = 0;
            throw takeFromExternrefTable0(ret[2]);
        }
        deferred4_0 = ptr3;
        deferred4_1 = len3;
        return getStringFromWasm0(ptr3, len3);
    } finally {
        wasm.__wbindgen_free(deferred4_0, deferred4_1, 1);
    }
}

/**
 * A checkpoint's fields, JSON: `{size, head, root, time}` (hex). Decoding
 * only: its signature is checked by [`check_consistency`].
 * @param {Uint8Array | number[]} checkpoint
 * @returns {string}
 */
export function checkpointJson(checkpoint) {
    let deferred3_0;
    let deferred3_1;
    try {
        const ptr0 = passArray8ToWasm0(checkpoint, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.checkpointJson(ptr0, len0);
        var ptr2 = ret[0];
        var len2 = ret[1];
        if (ret[3]) {
            ptr2 = 0; len2 = 0;
            throw takeFromExternrefTable0(ret[2]);
        }
        deferred3_0 = ptr2;
        deferred3_1 = len2;
        return getStringFromWasm0(ptr2, len2);
    } finally {
        wasm.__wbindgen_free(deferred3_0, deferred3_1, 1);
    }
}

/**
 * **INSECURE — for tests only.** A cast-ballot payload made with a ChaCha20
 * RNG seeded with `seed` (32 bytes): the credential key is drawn first,
 * then each contest is prepared in manifest order, chosen (`selections`
 * as for `PreparedBallot.choose`) and proven. Anyone who knows the seed
 * knows the vote and holds the credential: never use it for a real ballot.
 * @param {Poll} poll
 * @param {Uint8Array | number[]} seed
 * @param {string} selections
 * @returns {Uint8Array}
 */
export function insecureSeededBallotForTests(poll, seed, selections) {
    _assertClass(poll, Poll);
    let ptr0, len0, ptr1, len1;
    try {
        ptr0 = passArray8ToWasm0(seed, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passStringToWasm0(selections, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        len1 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.insecureSeededBallotForTests(poll.__wbg_ptr, ptr0, len0, ptr1, len1);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v3 = getArrayU8FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 1, 1);
    return v3;
}

/**
 * A receipt's fields, JSON: `{tracking_code, index, time, checkpoint}`
 * (hex; `checkpoint` the 144 bytes of its signed checkpoint). Decoding
 * only: use [`check_receipt`] to check it.
 * @param {Uint8Array | number[]} receipt
 * @returns {string}
 */
export function receiptJson(receipt) {
    let deferred3_0;
    let deferred3_1;
    try {
        const ptr0 = passArray8ToWasm0(receipt, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.receiptJson(ptr0, len0);
        var ptr2 = ret[0];
        var len2 = ret[1];
        if (ret[3]) {
            ptr2 = 0; len2 = 0;
            throw takeFromExternrefTable0(ret[2]);
        }
        deferred3_0 = ptr2;
        deferred3_1 = len2;
        return getStringFromWasm0(ptr2, len2);
    } finally {
        wasm.__wbindgen_free(deferred3_0, deferred3_1, 1);
    }
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_Error_208446807d0d1e30: function(arg0, arg1) {
            const ret = Error(getStringFromWasm0(arg0, arg1));
            return ret;
        },
        __wbg___wbindgen_is_function_741ff2bb612836f5: function(arg0) {
            const ret = typeof(arg0) === 'function';
            return ret;
        },
        __wbg___wbindgen_is_object_8b968c3ab8e96595: function(arg0) {
            const val = arg0;
            const ret = typeof(val) === 'object' && val !== null;
            return ret;
        },
        __wbg___wbindgen_is_string_fc456fee5d3317de: function(arg0) {
            const ret = typeof(arg0) === 'string';
            return ret;
        },
        __wbg___wbindgen_is_undefined_be5b34249ff1fc15: function(arg0) {
            const ret = arg0 === undefined;
            return ret;
        },
        __wbg___wbindgen_throw_4c88d8bf264fd984: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbg_call_a410eb4b59ed5965: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = arg0.call(arg1, arg2);
            return ret;
        }, arguments); },
        __wbg_crypto_23f565a907d30078: function(arg0) {
            const ret = arg0.crypto;
            return ret;
        },
        __wbg_getRandomValues_d2908e0b99612b91: function() { return handleError(function (arg0, arg1) {
            arg0.getRandomValues(arg1);
        }, arguments); },
        __wbg_length_186163212ffe79c3: function(arg0) {
            const ret = arg0.length;
            return ret;
        },
        __wbg_msCrypto_d5f06fad6bf1409b: function(arg0) {
            const ret = arg0.msCrypto;
            return ret;
        },
        __wbg_new_with_length_01b143a7e5dd5a3e: function(arg0) {
            const ret = new Uint8Array(arg0 >>> 0);
            return ret;
        },
        __wbg_node_86166ff8ce1f2002: function(arg0) {
            const ret = arg0.node;
            return ret;
        },
        __wbg_process_91f425a63f58e399: function(arg0) {
            const ret = arg0.process;
            return ret;
        },
        __wbg_prototypesetcall_13162965d1fe7aa3: function(arg0, arg1, arg2) {
            Uint8Array.prototype.set.call(getArrayU8FromWasm0(arg0, arg1), arg2);
        },
        __wbg_randomFillSync_34b023059e3363de: function() { return handleError(function (arg0, arg1) {
            arg0.randomFillSync(arg1);
        }, arguments); },
        __wbg_require_9a7d8cc2e1d275c0: function() { return handleError(function () {
            const ret = module.require;
            return ret;
        }, arguments); },
        __wbg_static_accessor_GLOBAL_THIS_003ee833af9699fc: function() {
            const ret = typeof globalThis === 'undefined' ? undefined : globalThis;
            return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
        },
        __wbg_static_accessor_GLOBAL_e4293fb22cbe77da: function() {
            const ret = typeof global === 'undefined' ? undefined : global;
            return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
        },
        __wbg_static_accessor_SELF_53bb20457401453d: function() {
            const ret = typeof self === 'undefined' ? undefined : self;
            return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
        },
        __wbg_static_accessor_WINDOW_b5e0810bfecb7feb: function() {
            const ret = typeof window === 'undefined' ? undefined : window;
            return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
        },
        __wbg_subarray_58f388a9247ac0bb: function(arg0, arg1, arg2) {
            const ret = arg0.subarray(arg1 >>> 0, arg2 >>> 0);
            return ret;
        },
        __wbg_versions_6e128a981b0df859: function(arg0) {
            const ret = arg0.versions;
            return ret;
        },
        __wbindgen_generic_0000000000000001: function(arg0, arg1) {
            // Cast intrinsic for `Ref(Slice(U8)) -> NamedExternref("Uint8Array")`.
            const ret = getArrayU8FromWasm0(arg0, arg1);
            return ret;
        },
        __wbindgen_generic_0000000000000002: function(arg0, arg1) {
            // Cast intrinsic for `Ref(String) -> Externref`.
            const ret = getStringFromWasm0(arg0, arg1);
            return ret;
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            table.set(0, undefined);
            table.set(1024, undefined);
            table.set(1025, null);
            table.set(1026, true);
            table.set(1027, false);
        },
    };
    return {
        __proto__: null,
        "./shortlist_wasm_bg.js": import0,
    };
}

const AuditedBallotFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_auditedballot_free(ptr, 1));
const ChosenBallotFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_chosenballot_free(ptr, 1));
const CredentialFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_credential_free(ptr, 1));
const PollFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_poll_free(ptr, 1));
const PreparedBallotFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_preparedballot_free(ptr, 1));
const RecordVerifierFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_recordverifier_free(ptr, 1));

function addToExternrefTable0(obj) {
    const idx = wasm.__externref_table_alloc();
    wasm.__wbindgen_externrefs.set(idx, obj);
    return idx;
}

function _assertClass(instance, klass) {
    if (!(instance instanceof klass)) {
        throw new Error(`expected instance of ${klass.name}`);
    }
}

function getArrayU8FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getUint8ArrayMemory0().subarray(ptr / 1, ptr / 1 + len);
}

function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function handleError(f, args) {
    try {
        return f.apply(this, args);
    } catch (e) {
        const idx = addToExternrefTable0(e);
        wasm.__wbindgen_exn_store(idx);
    }
}

function isLikeNone(x) {
    return x === undefined || x === null;
}

function passArray8ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 1, 1) >>> 0;
    getUint8ArrayMemory0().set(arg, ptr / 1);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passStringToWasm0(arg, malloc, realloc) {
    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}

function takeFromExternrefTable0(idx) {
    const value = wasm.__wbindgen_externrefs.get(idx);
    wasm.__externref_table_dealloc(idx);
    return value;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
cachedTextDecoder.decode();
const MAX_SAFARI_DECODE_BYTES = 2146435072;
let numBytesDecoded = 0;
function decodeText(bytes) {
    numBytesDecoded += bytes.length;
    if (numBytesDecoded >= MAX_SAFARI_DECODE_BYTES) {
        cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
        cachedTextDecoder.decode();
        numBytesDecoded = bytes.length;
    }
    return cachedTextDecoder.decode(bytes);
}

const cachedTextEncoder = new TextEncoder();

if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}

let WASM_VECTOR_LEN = 0;

let wasmModule, wasmInstance, wasm;
function __wbg_finalize_init(instance, module) {
    wasmInstance = instance;
    wasm = instance.exports;
    wasmModule = module;
    cachedUint8ArrayMemory0 = null;
    wasm.__wbindgen_start();
    return wasm;
}

async function __wbg_load(module, imports) {
    if (typeof Response === 'function' && module instanceof Response) {
        if (!module.ok) {
            throw new Error(`failed to fetch Wasm: ${module.status} ${module.statusText} fetching '${module.url}'`);
        }

        if (typeof WebAssembly.instantiateStreaming === 'function') {
            try {
                return await WebAssembly.instantiateStreaming(module, imports);
            } catch (e) {
                const validResponse = expectedResponseType(module.type);

                if (validResponse && module.headers.get('Content-Type') !== 'application/wasm') {
                    console.warn("`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\n", e);

                } else { throw e; }
            }
        }

        const bytes = await module.arrayBuffer();
        return await WebAssembly.instantiate(bytes, imports);
    } else {
        const instance = await WebAssembly.instantiate(module, imports);

        if (instance instanceof WebAssembly.Instance) {
            return { instance, module };
        } else {
            return instance;
        }
    }

    function expectedResponseType(type) {
        switch (type) {
            case 'basic': case 'cors': case 'default': return true;
        }
        return false;
    }
}

function initSync(module) {
    if (wasm !== undefined) return wasm;


    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for `initSync()`; pass a single object instead')
        }
    }

    const imports = __wbg_get_imports();
    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
    const instance = new WebAssembly.Instance(module, imports);
    return __wbg_finalize_init(instance, module);
}

let __wbg_init_promise;
async function __wbg_init(module_or_path) {
    if (wasm !== undefined) return wasm;
    if (__wbg_init_promise === undefined) {
        __wbg_init_promise = __wbg_init_once(module_or_path);
        __wbg_init_promise.catch(() => { __wbg_init_promise = undefined; });
    }
    return __wbg_init_promise;
}

async function __wbg_init_once(module_or_path) {

    if (module_or_path !== undefined) {
        if (Object.getPrototypeOf(module_or_path) === Object.prototype) {
            ({module_or_path} = module_or_path)
        } else {
            console.warn('using deprecated parameters for the initialization function; pass a single object instead')
        }
    }

    if (module_or_path === undefined) {
        module_or_path = new URL('shortlist_wasm_bg.wasm', import.meta.url);
    }
    const imports = __wbg_get_imports();

    if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)) {
        module_or_path = fetch(module_or_path);
    }

    const { instance, module } = await __wbg_load(await module_or_path, imports);

    return __wbg_finalize_init(instance, module);
}

export { initSync, __wbg_init as default };
