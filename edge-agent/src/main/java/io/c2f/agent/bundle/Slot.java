package io.c2f.agent.bundle;

/** One of the two install slots (A/B): one runs while the other receives the next bundle. */
public enum Slot {
    A, B;

    public Slot other() {
        return this == A ? B : A;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Slot parse(String s) {
        return switch (s.trim()) {
            case "a" -> A;
            case "b" -> B;
            default -> throw new IllegalArgumentException("slot must be 'a' or 'b', got '" + s.trim() + "'");
        };
    }
}
