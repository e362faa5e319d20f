package io.c2f.controller.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.SignedManifest;

/**
 * A stored, signed bundle.
 *
 * @param id the manifest's bundle_id, {@code name-version}
 * @param signedManifest what install jobs carry
 */
public record BundleRecord(String id, String name, String version, String modelSha256, String payloadSha256,
        long payloadSize, int chunkSize, int chunkCount, SignedManifest signedManifest, String keyId,
        long createdMs) {

    /** The manifest the signature covers (parsed from the signed bytes, which were produced here). */
    public BundleManifest manifest() {
        try {
            return BundleManifest.parseFrom(signedManifest.getManifest());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored manifest of bundle " + id + " does not parse", e);
        }
    }
}
