package io.c2f.agent.bundle;

import io.c2f.agent.fs.AtomicFiles;
import io.c2f.proto.bundle.BundleVerificationException;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.v1.BundleFile;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.SignedManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's installed bundles: two slots and a pointer to the active one.
 *
 * <pre>
 * bundles/slot-a/   files + manifest.pb (the signed manifest) [+ engine.pin, the rollout's engine]
 * bundles/slot-b/
 * bundles/active    "a" or "b", replaced atomically
 * </pre>
 *
 * A slot is written as {@code slot-x.tmp/} (every file fsynced), then renamed into place; the
 * active pointer only ever names a complete slot. Whatever moment the power goes, the device
 * restarts on a complete bundle: the old one or the new one.
 */
public final class BundleStore {
    private static final Logger LOG = LoggerFactory.getLogger(BundleStore.class);
    static final String MANIFEST_FILE = "manifest.pb";
    /** The engine the installing rollout pinned (from its signed order); absent when none. */
    static final String ENGINE_PIN_FILE = "engine.pin";
    private static final Pattern PIN = Pattern.compile("[a-z0-9_-]{1,32}");

    private final Path root;
    private final PublicKey trustedKey;

    public BundleStore(Path root, PublicKey trustedKey) throws IOException {
        this.root = root;
        this.trustedKey = trustedKey;
        Files.createDirectories(root);
        cleanUpInterruptedInstalls();
    }

    private void cleanUpInterruptedInstalls() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, "*.tmp")) {
            for (Path p : entries) {
                LOG.warn("removing {} left by an interrupted install", p);
                AtomicFiles.deleteTree(p);
            }
        }
    }

    private Path slotDir(Slot slot) {
        return root.resolve("slot-" + slot.id());
    }

    /** The slot the pointer names, if any. */
    public Optional<Slot> activeSlot() throws IOException {
        Path pointer = root.resolve("active");
        if (!Files.exists(pointer)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Slot.parse(Files.readString(pointer, StandardCharsets.US_ASCII)));
        } catch (IllegalArgumentException e) {
            throw new IOException("active-slot pointer " + pointer + " is corrupt: " + e.getMessage(), e);
        }
    }

    /** The active bundle, fully re-verified (signature and every file's sha256), if there is one. */
    public Optional<InstalledSlot> active() throws IOException {
        Optional<Slot> slot = activeSlot();
        if (slot.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(load(slot.get()));
    }

    /**
     * Loads and verifies a slot.
     *
     * @throws IOException naming the slot and what is wrong with it
     */
    public InstalledSlot load(Slot slot) throws IOException {
        Path dir = slotDir(slot);
        Path manifestFile = dir.resolve(MANIFEST_FILE);
        if (!Files.exists(manifestFile)) {
            throw new IOException("slot " + slot.id() + " holds no bundle (" + manifestFile + " missing)");
        }
        try {
            SignedManifest signed = SignedManifest.parseFrom(Files.readAllBytes(manifestFile));
            BundleManifest manifest = ManifestSigning.verify(signed, trustedKey);
            for (BundleFile f : manifest.getFilesList()) {
                Path file = dir.resolve(f.getPath());
                if (!Files.exists(file)) {
                    throw new IOException("slot " + slot.id() + ": file " + f.getPath() + " is missing");
                }
                String sha = Sha256.hex(file);
                if (!sha.equals(f.getSha256())) {
                    throw new IOException("slot " + slot.id() + ": file " + f.getPath() + " has sha256 " + sha
                            + ", the manifest says " + f.getSha256());
                }
            }
            return new InstalledSlot(slot, dir, signed, manifest, readPin(slot, dir));
        } catch (BundleVerificationException | com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IOException("slot " + slot.id() + " failed verification: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a verified bundle into the INACTIVE slot (never the running one) and returns it. The
     * active pointer is not touched: call {@link #activate} after the health probe passed.
     */
    public InstalledSlot installIntoInactive(SignedManifest signed, BundleManifest manifest,
            List<Map.Entry<String, byte[]>> files) throws IOException {
        return installIntoInactive(signed, manifest, files, "");
    }

    /**
     * As {@link #installIntoInactive(SignedManifest, BundleManifest, List)}, remembering the engine
     * the rollout pinned ("" for none) with the slot, so a restart opens it on the same engine.
     */
    public InstalledSlot installIntoInactive(SignedManifest signed, BundleManifest manifest,
            List<Map.Entry<String, byte[]>> files, String enginePin) throws IOException {
        if (!enginePin.isEmpty() && !PIN.matcher(enginePin).matches()) {
            throw new IllegalArgumentException("engine pin \"" + enginePin + "\" is not [a-z0-9_-]{1,32}");
        }
        if (files.stream().anyMatch(f -> f.getKey().equals(ENGINE_PIN_FILE) || f.getKey().equals(MANIFEST_FILE))) {
            throw new IOException("bundle " + manifest.getBundleId() + " carries a file named like the slot's own "
                    + ENGINE_PIN_FILE + " or " + MANIFEST_FILE);
        }
        Slot target = activeSlot().map(Slot::other).orElse(Slot.A);
        Path tmp = root.resolve("slot-" + target.id() + ".tmp");
        AtomicFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        for (var f : files) {
            Path file = tmp.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            AtomicFiles.writeAndSync(file, f.getValue());
        }
        AtomicFiles.writeAndSync(tmp.resolve(MANIFEST_FILE), signed.toByteArray());
        if (!enginePin.isEmpty()) {
            AtomicFiles.writeAndSync(tmp.resolve(ENGINE_PIN_FILE), enginePin.getBytes(StandardCharsets.US_ASCII));
        }
        AtomicFiles.syncDirectory(tmp);
        Path dir = slotDir(target);
        AtomicFiles.deleteTree(dir);
        AtomicFiles.move(tmp, dir);
        AtomicFiles.syncDirectory(root);
        LOG.info("bundle {} {} written to slot {}", manifest.getBundleId(), manifest.getVersion(), target.id());
        return new InstalledSlot(target, dir, signed, manifest, enginePin);
    }

    private static String readPin(Slot slot, Path dir) throws IOException {
        Path file = dir.resolve(ENGINE_PIN_FILE);
        if (!Files.exists(file)) {
            return "";
        }
        String pin = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!PIN.matcher(pin).matches()) {
            throw new IOException("slot " + slot.id() + ": " + ENGINE_PIN_FILE + " is corrupt");
        }
        return pin;
    }

    /**
     * Where each slot's manifest says its files are, by sha256: the active slot's first, then the
     * other (previous) slot's. Only hints for a delta download, which re-hashes whatever it reads:
     * the signature is not checked here, a slot whose manifest cannot be parsed is skipped, and
     * only regular files inside the slot directory (no links) are listed.
     */
    public Map<String, List<Path>> slotFilesBySha256() throws IOException {
        Slot first = activeSlot().orElse(Slot.A);
        Map<String, List<Path>> out = new LinkedHashMap<>();
        for (Slot slot : List.of(first, first.other())) {
            Path dir = slotDir(slot);
            Path manifestFile = dir.resolve(MANIFEST_FILE);
            if (!Files.isRegularFile(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            BundleManifest manifest;
            try {
                manifest = BundleManifest.parseFrom(SignedManifest.parseFrom(Files.readAllBytes(manifestFile))
                        .getManifest());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                LOG.warn("slot {}: manifest cannot be parsed ({}); none of its files is reused", slot.id(),
                        e.getMessage());
                continue;
            }
            Path real = dir.toRealPath();
            for (BundleFile f : manifest.getFilesList()) {
                Path file = real.resolve(f.getPath()).normalize();
                // inside the slot, a regular file, and no link on the way (a linked folder leads elsewhere)
                if (file.startsWith(real) && !file.equals(real) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                        && file.toRealPath().equals(file)) {
                    out.computeIfAbsent(f.getSha256(), k -> new ArrayList<>()).add(file);
                }
            }
        }
        return out;
    }

    /** Points the device at a slot (atomic). */
    public void activate(Slot slot) throws IOException {
        load(slot); // never point at a slot that does not verify
        AtomicFiles.write(root.resolve("active"), slot.id().getBytes(StandardCharsets.US_ASCII));
        LOG.info("slot {} is now active", slot.id());
    }
}
