package io.c2f.models.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The datasets PrepareData knows, with the Debian package that ships each and the images' licence. */
public enum DatasetSource {
    EMOJI("emoji", "fonts-noto-color-emoji", NotoEmojiLoader.DEBIAN_FONT,
            "Apache-2.0 (Noto Color Emoji images; the font file itself is OFL-1.1)"),
    ICONS("icons", "oxygen-icon-theme", IconThemeLoader.DEBIAN_OXYGEN, "LGPL-3+ (Oxygen icons)"),
    FASHION_MNIST("fashion-mnist", "dataset-fashion-mnist", FashionMnistLoader.DEBIAN_DIR, "MIT (Fashion-MNIST)"),
    CIFAR10("cifar10", "", null, "CIFAR-10 (Krizhevsky 2009): no explicit licence; distributed by the authors for"
            + " research, cite 'Learning Multiple Layers of Features from Tiny Images'");

    private final String cliName;
    private final String debianPackage;
    private final Path defaultInput;
    private final String licence;

    DatasetSource(String cliName, String debianPackage, Path defaultInput, String licence) {
        this.cliName = cliName;
        this.debianPackage = debianPackage;
        this.defaultInput = defaultInput;
        this.licence = licence;
    }

    public String cliName() {
        return cliName;
    }

    /** The package expected to ship the default input; empty when there is none (CIFAR-10). */
    public String debianPackage() {
        return debianPackage;
    }

    /** Where the Debian package installs it; null when there is no such package. */
    public Path defaultInput() {
        return defaultInput;
    }

    public String licence() {
        return licence;
    }

    public static DatasetSource fromCli(String name) {
        for (DatasetSource s : values()) {
            if (s.cliName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown --source '" + name + "', expected emoji, icons, fashion-mnist or cifar10");
    }

    /**
     * The package that owns {@code input} according to dpkg ({@code dpkg-query -S}), else this source's
     * usual package when its default input is used, else "unknown".
     */
    public String packageOf(Path input) {
        String owner = run("dpkg-query", "-S", input.toAbsolutePath().normalize().toString());
        if (owner != null && owner.contains(":")) {
            String first = owner.lines().findFirst().orElse("");
            String pkg = first.substring(0, first.indexOf(':')).split(",")[0].trim();
            if (!pkg.isEmpty() && !pkg.startsWith("diversion")) {
                return pkg;
            }
        }
        return defaultInput != null && defaultInput.equals(input) && !debianPackage.isEmpty() ? debianPackage : "unknown";
    }

    /** The installed version via {@code dpkg-query -W -f='${Version}' PKG}, or "unknown". */
    public static String packageVersion(String pkg) {
        if (pkg.equals("unknown")) {
            return "unknown";
        }
        String v = run("dpkg-query", "-W", "-f=${Version}", pkg);
        return v == null || v.isBlank() ? "unknown" : v.trim();
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.getErrorStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null; // no dpkg on this system
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
