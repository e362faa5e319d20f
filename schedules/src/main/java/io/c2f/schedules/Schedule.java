package io.c2f.schedules;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.InvalidPlanException;
import io.c2f.proto.v1.Provenance;
import io.c2f.proto.v1.SearchMethod;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named sampling schedule: the in-memory form of the proto {@code c2f.v1.Schedule}. The plan says
 * how to sample; the provenance says how the plan was found (method, model hash, losses, MACs).
 *
 * <p>Conversion to and from the proto is lossless for every valid schedule: {@code
 * fromProto(s.toProto()).equals(s)}, and {@code fromProto(p).toProto().equals(p)} for any valid
 * proto whose sampler, switch method and interpolation are set (UNSPECIFIED values of a schedule
 * that does not switch are normalised to DDIM / RENOISE_X0 / NEAREST, as {@link C2fPlan} reads them).
 *
 * @param id catalog id: 1-128 characters of [A-Za-z0-9._-]
 */
public record Schedule(String id, C2fPlan plan, Provenance provenance) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public Schedule {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(provenance, "provenance");
        checkId("schedule", id);
    }

    public Schedule withProvenance(Provenance p) {
        return new Schedule(id, plan, p);
    }

    public Schedule withId(String newId) {
        return new Schedule(newId, plan, provenance);
    }

    public io.c2f.proto.v1.Schedule toProto() {
        return plan.toProto().toBuilder().setScheduleId(id).setProvenance(provenance).build();
    }

    /** Reads and validates a proto schedule; errors name "proto" as the source. */
    public static Schedule fromProto(io.c2f.proto.v1.Schedule p) {
        return fromProto(p, "proto");
    }

    /**
     * Reads and validates a proto schedule: the plan's rules are {@link C2fPlan}'s (its errors name
     * the proto field), the id's and the provenance's are checked here.
     *
     * @param source named in error messages (a file path)
     * @throws ScheduleFormatException naming source and field
     */
    public static Schedule fromProto(io.c2f.proto.v1.Schedule p, String source) {
        checkId(source, p.getScheduleId());
        C2fPlan plan;
        try {
            plan = C2fPlan.fromProto(p);
        } catch (InvalidPlanException e) {
            throw new ScheduleFormatException(source, e.field(), e.getMessage(), e);
        }
        Provenance prov = p.getProvenance();
        if (prov.getMethodValue() < 0 || prov.getMethod() == SearchMethod.UNRECOGNIZED) {
            throw new ScheduleFormatException(source, "provenance.method", "unknown value " + prov.getMethodValue());
        }
        if (!prov.getModelSha256().isEmpty() && !prov.getModelSha256().matches("[0-9a-f]{64}")) {
            throw new ScheduleFormatException(source, "provenance.model_sha256",
                    "must be 64 lower-case hex digits, got '" + prov.getModelSha256() + "'");
        }
        return new Schedule(p.getScheduleId(), plan, prov);
    }

    private static void checkId(String source, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new ScheduleFormatException(source, "schedule_id",
                    "must be 1-128 characters of [A-Za-z0-9._-], got " + (id == null ? "null" : "'" + id + "'"));
        }
    }
}
