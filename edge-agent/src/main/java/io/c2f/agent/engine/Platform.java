package io.c2f.agent.engine;

import java.util.Locale;

/**
 * The OS and CPU architecture the agent runs on, in the names native libraries are published
 * under ("linux-x86_64", "linux-aarch64").
 *
 * @param os "linux", "osx", "windows", or the JVM's name lower-cased
 * @param arch "x86_64", "aarch64", or the JVM's name
 */
public record Platform(String os, String arch) {
    public static final Platform LINUX_X86_64 = new Platform("linux", "x86_64");
    public static final Platform LINUX_AARCH64 = new Platform("linux", "aarch64");

    /** This JVM's platform. */
    public static Platform current() {
        return of(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /** From the JVM's os.name / os.arch values (amd64 is x86_64, arm64 is aarch64). */
    public static Platform of(String osName, String osArch) {
        String o = osName.toLowerCase(Locale.ROOT);
        String os = o.startsWith("linux") ? "linux" : o.startsWith("mac") ? "osx" : o.startsWith("windows") ? "windows" : o;
        String a = osArch.toLowerCase(Locale.ROOT);
        String arch = switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "arm64", "aarch64" -> "aarch64";
            default -> a;
        };
        return new Platform(os, arch);
    }

    @Override
    public String toString() {
        return os + "-" + arch;
    }
}
