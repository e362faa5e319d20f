package io.c2f.agent.bundle;

import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.SignedManifest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A bundle installed in a slot.
 *
 * @param slot which slot
 * @param dir the slot directory holding the bundle's files
 * @param signed the signed manifest it was installed from
 * @param manifest the verified manifest
 * @param enginePin the engine the rollout that installed it pinned ("tflite", "onnx"), or "" for none
 */
public record InstalledSlot(Slot slot, Path dir, SignedManifest signed, BundleManifest manifest, String enginePin) {
    public InstalledSlot {
        Objects.requireNonNull(enginePin, "enginePin");
    }

    /** A slot no rollout pinned an engine for. */
    public InstalledSlot(Slot slot, Path dir, SignedManifest signed, BundleManifest manifest) {
        this(slot, dir, signed, manifest, "");
    }

    public Path file(String relativePath) {
        return dir.resolve(relativePath);
    }
}
