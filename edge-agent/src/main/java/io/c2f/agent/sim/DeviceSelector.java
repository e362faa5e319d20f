package io.c2f.agent.sim;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which simulated devices a console command acts on: {@code all}, a label {@code key=value}
 * (e.g. {@code speed=slow}), or device ids separated by commas ({@code sim-0001,sim-0007}).
 * Device ids never contain '=', so the forms cannot be confused.
 */
record DeviceSelector(boolean all, Set<String> ids, String labelKey, String labelValue) {
    private static final String ID = "[A-Za-z0-9_.-]{1,64}";

    public DeviceSelector {
        ids = Set.copyOf(ids);
    }

    public static DeviceSelector parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a device selector is required: all, key=value or id[,id...]");
        }
        if (text.equals("all")) {
            return new DeviceSelector(true, Set.of(), null, null);
        }
        int eq = text.indexOf('=');
        if (eq >= 0) {
            String key = text.substring(0, eq);
            String value = text.substring(eq + 1);
            if (!key.matches(ID) || !value.matches(ID)) {
                throw new IllegalArgumentException("label selector '" + text + "' must be key=value of [A-Za-z0-9_.-]");
            }
            return new DeviceSelector(false, Set.of(), key, value);
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : text.split(",", -1)) {
            if (!id.matches(ID)) {
                throw new IllegalArgumentException("'" + id + "' in '" + text + "' is not a device id "
                        + "(1-64 characters of [A-Za-z0-9_.-])");
            }
            ids.add(id);
        }
        return new DeviceSelector(false, ids, null, null);
    }

    public boolean matches(String deviceId, Map<String, String> labels) {
        if (all) {
            return true;
        }
        if (labelKey != null) {
            return labelValue.equals(labels.get(labelKey));
        }
        return ids.contains(deviceId);
    }

    @Override
    public String toString() {
        return all ? "all" : labelKey != null ? labelKey + "=" + labelValue : String.join(",", ids);
    }
}
