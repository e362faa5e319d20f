package io.c2f.schedules.frontier;

/**
 * A named quality measure and which way is better, e.g. PSNR against the many-step reference
 * (higher is better), its MSE (lower is better) or a ratio to real images such as the detail ratio
 * (closer to 1 is better: a sampler can miss detail, ratio below 1, or add noise real images do not
 * have, ratio above 1). Two measures are the same measure when name and direction are equal.
 */
public record Measure(String name, Direction direction) {
    public enum Direction {
        HIGHER_IS_BETTER, LOWER_IS_BETTER, CLOSER_TO_ONE_IS_BETTER;

        /** How a table header says it, e.g. "higher is better". */
        public String phrase() {
            return switch (this) {
                case HIGHER_IS_BETTER -> "higher is better";
                case LOWER_IS_BETTER -> "lower is better";
                case CLOSER_TO_ONE_IS_BETTER -> "closer to 1 is better";
            };
        }
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

    public static Measure closerToOneIsBetter(String name) {
        return new Measure(name, Direction.CLOSER_TO_ONE_IS_BETTER);
    }

    /**
     * Positive when {@code a} is better than {@code b}, negative when worse, 0 when equal. Numeric
     * comparison, so 0.0 and -0.0 are equal; NaN never reaches here ({@link FrontierPoint} refuses it).
     */
    public int compare(double a, double b) {
        return switch (direction) {
            case HIGHER_IS_BETTER -> Double.compare(a + 0.0, b + 0.0);
            case LOWER_IS_BETTER -> Double.compare(b + 0.0, a + 0.0);
            case CLOSER_TO_ONE_IS_BETTER -> Double.compare(Math.abs(b - 1), Math.abs(a - 1));
        };
    }
}
