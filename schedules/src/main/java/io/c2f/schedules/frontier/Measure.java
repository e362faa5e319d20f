package io.c2f.schedules.frontier;

/**
 * A named quality measure and which way is better, e.g. PSNR against the many-step reference
 * (higher is better) or its MSE (lower is better). Two measures are the same measure when name and
 * direction are equal.
 */
public record Measure(String name, Direction direction) {
    public enum Direction {
        HIGHER_IS_BETTER, LOWER_IS_BETTER
    }

    public Measure {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a measure needs a name");
        }
        if (direction == null) {
            throw new IllegalArgumentException("measure " + name + " needs a direction");
        }
    }

    public static Measure higherIsBetter(String name) {
        return new Measure(name, Direction.HIGHER_IS_BETTER);
    }

    public static Measure lowerIsBetter(String name) {
        return new Measure(name, Direction.LOWER_IS_BETTER);
    }

    /**
     * Positive when {@code a} is better than {@code b}, negative when worse, 0 when equal. Numeric
     * comparison, so 0.0 and -0.0 are equal; NaN never reaches here ({@link FrontierPoint} refuses it).
     */
    public int compare(double a, double b) {
        int numeric = a < b ? -1 : a > b ? 1 : 0;
        return direction == Direction.HIGHER_IS_BETTER ? numeric : -numeric;
    }
}
