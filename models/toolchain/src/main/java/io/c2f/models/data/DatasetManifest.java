package io.c2f.models.data;

import java.util.List;
import java.util.Locale;

/**
 * What a prepared dataset directory holds and where it came from; written as {@code manifest.json}.
 *
 * @param source            the source kind (emoji, icons, fashion-mnist, cifar10)
 * @param input             the path read
 * @param sourcePackage     the Debian package that installed the input, or "unknown"
 * @param packageVersion    its version from dpkg-query, or "unknown"
 * @param licence           the licence of the images
 * @param selection         which images of the source were taken (e.g. base emoji only) and the limit
 * @param loaded            images read from the source (after any limit)
 * @param skipped           source files that could not be decoded
 * @param duplicatesRemoved images identical to an earlier one after preprocessing
 * @param train             images in the train part
 * @param heldOut           images in the held-out part
 * @param files             the tensor files written
 */
public record DatasetManifest(String source, String input, String sourcePackage, String packageVersion,
                              String licence, String selection, int loaded, int skipped, int duplicatesRemoved,
                              int train, int heldOut, List<FileEntry> files) {
    public static final String FORMAT = "c2f-prepared-dataset/1";

    /** One written tensor file and its checksum. */
    public record FileEntry(String name, String part, int count, int height, int width, int channels, String dtype,
                            String sha256) {}

    public DatasetManifest {
        files = List.copyOf(files);
    }

    public String toJson() {
        StringBuilder j = new StringBuilder("{\n");
        field(j, "format", FORMAT);
        field(j, "source", source);
        field(j, "input", input);
        field(j, "package", sourcePackage);
        field(j, "packageVersion", packageVersion);
        field(j, "licence", licence);
        field(j, "selection", selection);
        field(j, "background", DatasetPreparer.BACKGROUND_HEX);
        field(j, "preprocessing", "alpha composited over the background in sRGB; scaled by min(32/w,32/h) with exact"
                + " area averaging, aspect kept, centred; rounded to 8 bits");
        field(j, "valueRange", "float = v / 127.5 - 1 for 8-bit v, in [-1, 1]");
        field(j, "deduplication", "sha256 of the 32x32 RGB 8-bit pixels, first in source order kept");
        field(j, "split", "held out when the first 8 bytes of that sha256, as an unsigned big-endian integer, are 0 mod "
                + DatasetPreparer.HELD_OUT_MODULUS);
        field(j, "lowResolution", "16x16 by 2x2 average pooling of the [-1,1] floats");
        j.append(String.format(Locale.ROOT, "  \"loaded\": %d,\n  \"skipped\": %d,\n  \"duplicatesRemoved\": %d,\n"
                + "  \"train\": %d,\n  \"heldOut\": %d,\n", loaded, skipped, duplicatesRemoved, train, heldOut));
        j.append("  \"files\": [");
        for (int i = 0; i < files.size(); i++) {
            FileEntry f = files.get(i);
            j.append(i == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT,
                    "    {\"name\": %s, \"part\": %s, \"count\": %d, \"height\": %d, \"width\": %d, \"channels\": %d,"
                            + " \"dtype\": %s, \"sha256\": %s}",
                    quote(f.name()), quote(f.part()), f.count(), f.height(), f.width(), f.channels(), quote(f.dtype()),
                    quote(f.sha256())));
        }
        j.append(files.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
        return j.toString();
    }

    private static void field(StringBuilder j, String name, String value) {
        j.append("  ").append(quote(name)).append(": ").append(quote(value)).append(",\n");
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
