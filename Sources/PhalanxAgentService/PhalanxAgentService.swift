// PhalanxAgentService: the local safety agent as a process — the events store (GRDB), receipts in the audit ledger,
// the HTTP API (Hummingbird) and `phalanx agent serve`. The decisions themselves are PhalanxAgent's.
