package io.c2f.proto.bundle;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version (major.minor.patch with an optional -prerelease), ordered as semver.org
 * says, except that prerelease identifiers compare as plain strings.
 */
public record SemVer(int major, int minor, int patch, String prerelease) implements Comparable<SemVer> {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})\\.(\\d{1,9})(?:-([0-9A-Za-z.-]+))?");

    public static SemVer parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a version of the form MAJOR.MINOR.PATCH[-PRE]");
        }
        return new SemVer(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                m.group(4) == null ? "" : m.group(4));
    }

    @Override
    public int compareTo(SemVer o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        if (c == 0) {
            // a release ranks above its prereleases
            if (prerelease.isEmpty() != o.prerelease.isEmpty()) {
                return prerelease.isEmpty() ? 1 : -1;
            }
            c = prerelease.compareTo(o.prerelease);
        }
        return c;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (prerelease.isEmpty() ? "" : "-" + prerelease);
    }
}
