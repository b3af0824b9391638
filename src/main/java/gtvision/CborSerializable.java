package gtvision;

/** Marker for messages, events and snapshots serialized with Jackson CBOR (see serialization.conf). */
public interface CborSerializable {}
