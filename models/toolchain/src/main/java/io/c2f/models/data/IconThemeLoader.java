package io.c2f.models.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * PNG icons of a freedesktop icon theme directory (e.g. /usr/share/icons/oxygen). Icons are keyed by
 * their path without the size directory ({@code base/64x64/actions/edit-copy.png} is
 * {@code base/actions/edit-copy}); for each key the largest size is used, falling back to the next size
 * when a file cannot be decoded. Every undecodable file is skipped and counted with a warning.
 */
final class IconThemeLoader {
    public static final Path DEBIAN_OXYGEN = Path.of("/usr/share/icons/oxygen");
    private static final Pattern SIZE_DIR = Pattern.compile("(\\d+)x(\\d+)(?:@(\\d+)x?)?");

    /** Result of loading a theme: the icons, and what was skipped and why. */
    public record Result(List<SourceImage> images, int skipped, int tooSmall, List<String> warnings) {
        public Result {
            images = List.copyOf(images);
            warnings = List.copyOf(warnings);
        }
    }

    private record Candidate(Path file, int size) {}

    private IconThemeLoader() {}

    /** Every icon, whatever its largest size. */
    public static Result load(Path themeDir) throws IOException {
        return load(themeDir, 0);
    }

    /**
     * Icons whose largest size directory is at least {@code minSize} (icons only drawn at, say, 16x16
     * would be blurred by upscaling to 32x32); icons outside a size directory count as large enough.
     */
    public static Result load(Path themeDir, int minSize) throws IOException {
        if (!Files.isDirectory(themeDir)) {
            throw new DatasetFormatException(themeDir, "icon theme directory does not exist");
        }
        Map<String, List<Candidate>> byKey = new TreeMap<>(); // sorted: deterministic order
        try (Stream<Path> walk = Files.walk(themeDir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String name = p.getFileName().toString();
                if (!name.toLowerCase().endsWith(".png") || Files.isDirectory(p)) {
                    continue;
                }
                Path rel = themeDir.relativize(p);
                int size = -1;
                StringBuilder key = new StringBuilder();
                for (Path part : rel) {
                    Matcher m = SIZE_DIR.matcher(part.toString());
                    if (size < 0 && m.matches()) {
                        size = Integer.parseInt(m.group(1)) * (m.group(3) == null ? 1 : Integer.parseInt(m.group(3)));
                        continue;
                    }
                    key.append(key.length() == 0 ? "" : "/").append(part);
                }
                String k = key.substring(0, key.length() - 4);
                byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(new Candidate(p, size));
            }
        }
        List<SourceImage> images = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int skipped = 0;
        int tooSmall = 0;
        for (Map.Entry<String, List<Candidate>> e : byKey.entrySet()) {
            List<Candidate> candidates = e.getValue();
            candidates.sort(Comparator.comparingInt(Candidate::size).reversed());
            if (candidates.get(0).size() >= 0 && candidates.get(0).size() < minSize) {
                tooSmall++;
                continue;
            }
            for (Candidate c : candidates) {
                BufferedImage image = null;
                String why;
                try {
                    image = ImageIO.read(c.file().toFile());
                    why = "not a decodable image";
                } catch (IOException | RuntimeException ex) {
                    why = ex.toString();
                }
                if (image != null) {
                    images.add(new SourceImage(e.getKey() + "@" + (c.size() < 0 ? "?" : c.size()), SourceImage.NO_LABEL, image));
                    break;
                }
                skipped++;
                warnings.add(c.file() + ": skipped, " + why);
            }
        }
        return new Result(images, skipped, tooSmall, warnings);
    }
}
