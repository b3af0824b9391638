package gtvision.alerts;

import gtvision.CborSerializable;
import java.time.Instant;

/**
 * One entry of the watch list: {@code pattern} normalised (see {@link WatchPattern}), {@code label} what an
 * alert shows ("stolen, report to desk 3"), {@code enabled} false keeps the entry without alerting.
 */
public record WatchEntry(String id, String pattern, String label, boolean enabled, Instant createdAt, Instant updatedAt)
    implements CborSerializable {}
