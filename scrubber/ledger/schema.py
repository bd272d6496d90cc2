"""The ledger's SQLite schema. Add tables and columns; never rename or drop (old ledgers must open).

Money is stored as text (the Decimal's exact digits); member ids as ``hmac-sha256:<hex>`` keyed
with the ledger's own random salt unless the run was recorded with ``--ledger-phi``.
"""

SCHEMA_VERSION = "1"

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    started TEXT NOT NULL,
    recorded TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    payer_profile TEXT,
    claims_total INTEGER NOT NULL,
    claims_clean INTEGER NOT NULL,
    claims_flagged INTEGER NOT NULL,
    claims_unreadable INTEGER NOT NULL,
    findings_error INTEGER NOT NULL,
    findings_warning INTEGER NOT NULL,
    findings_info INTEGER NOT NULL,
    run_errors INTEGER NOT NULL,
    charges_at_risk TEXT NOT NULL,
    phi INTEGER NOT NULL,
    options TEXT NOT NULL,
    run_extra TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_inputs (run_id INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,
    path TEXT, sha256 TEXT, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS run_rulesets (run_id INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,
    ruleset_id TEXT, version TEXT, sha256 TEXT, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS run_refdata (run_id INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,
    kind TEXT, edition TEXT, sha256 TEXT, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS run_payer_profiles (run_id INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,
    profile_id TEXT, sha256 TEXT, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS claims (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    claim_id TEXT NOT NULL,
    source_path TEXT,
    source_segment INTEGER,
    status TEXT NOT NULL,
    payer TEXT,
    payer_id TEXT,
    billing_npi TEXT,
    rendering_npi TEXT,
    service_date TEXT,
    total_charge TEXT,
    member TEXT,
    error TEXT,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS findings (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    claim_seq INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    category TEXT NOT NULL,
    message TEXT NOT NULL,
    suggestion TEXT,
    source TEXT,
    line INTEGER,
    location_path TEXT,
    location_segment INTEGER,
    codes TEXT NOT NULL,
    PRIMARY KEY (run_id, claim_seq, seq)
);
-- Services under a payer frequency limit, kept so a later run counts them (PAY-FREQ-001). Only the
-- lines a limit of the claim's profile matched; member and claim ids as salted HMACs (always, also
-- with --ledger-phi); no names, birth dates or diagnoses.
CREATE TABLE IF NOT EXISTS frequency_services (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    member_key TEXT NOT NULL,
    claim_key TEXT NOT NULL,
    line INTEGER NOT NULL,
    code TEXT NOT NULL,
    service_date TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS frequency_services_by_claim ON frequency_services (claim_key, run_id);
-- Every claim a run read (hashed key only), so a claim re-scrubbed without a limited line (a correction,
-- another profile) stops counting: its latest run is known even when that run kept no service for it.
CREATE TABLE IF NOT EXISTS frequency_claims (run_id INTEGER NOT NULL REFERENCES runs(id), claim_key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS frequency_claims_by_claim ON frequency_claims (claim_key, run_id);
CREATE TABLE IF NOT EXISTS run_errors (run_id INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,
    kind TEXT, message TEXT, path TEXT, segment INTEGER, PRIMARY KEY (run_id, seq));
"""
