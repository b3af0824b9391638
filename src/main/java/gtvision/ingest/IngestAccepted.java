package gtvision.ingest;

/** The answer to an accepted ingest: everything in it is durable. */
record IngestAccepted(int accepted, int cameras, int events) {}
