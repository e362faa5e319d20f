package io.c2f.models.c2f;

/**
 * A C2F plan is not valid (for a model); the message names the offending value, {@link #field()}
 * the proto {@code c2f.v1.Schedule} field it came from, so readers of files can point at it.
 */
public class InvalidPlanException extends IllegalArgumentException {
    private final String field;

    /** A rule of the plan against a model (time step range, resolutions): field "plan". */
    public InvalidPlanException(String message) {
        this("plan", message);
    }

    /** @param field the proto field name, e.g. "timesteps[3]", "switch_index", "low_resolution" */
    public InvalidPlanException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The proto field name (with an index for repeated fields) whose value broke a rule. */
    public String field() {
        return field;
    }
}
