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
        checkSampleQuality(source, prov);
        return new Schedule(p.getScheduleId(), plan, prov);
    }

    /** The measures are shown to operators and rank schedules: each must be a real number in its range. */
    private static void checkSampleQuality(String source, Provenance prov) {
        if (!prov.hasSampleQuality()) {
            return;
        }
        io.c2f.proto.v1.SampleQuality q = prov.getSampleQuality();
        double[] values = {q.getShapeDetailFrechet(), q.getShapeDetailFrechetFloor(),
                q.getShapeDetailFrechetCeiling(), q.getLaplacianRatio(), q.getBandEnergyRatio()};
        String[] names = {"shape_detail_frechet", "shape_detail_frechet_floor", "shape_detail_frechet_ceiling",
                "laplacian_ratio", "band_energy_ratio"};
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0) || Double.isInfinite(values[i])) {
                throw new ScheduleFormatException(source, "provenance.sample_quality." + names[i],
                        "must be finite and >= 0, got " + values[i]);
            }
        }
        if (q.getSamples() == 0) {
            throw new ScheduleFormatException(source, "provenance.sample_quality.samples",
                    "must be > 0 where sample quality is given");
        }
        if (q.getRealImages().length() > 200) {
            throw new ScheduleFormatException(source, "provenance.sample_quality.real_images",
                    "is longer than 200 characters");
        }
    }

    private static void checkId(String source, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new ScheduleFormatException(source, "schedule_id",
                    "must be 1-128 characters of [A-Za-z0-9._-], got " + (id == null ? "null" : "'" + id + "'"));
        }
    }
}
