package io.c2f.controller.signing;

import io.c2f.controller.config.ConfigException;
import io.c2f.controller.files.ModelsDirectory;
import java.nio.file.Path;
import java.util.Map;

/**
 * Start-up check that the signing key's directory lies outside every directory the controller
 * serves, packs into bundles or lets API callers name (and that none of those lies inside it):
 * otherwise a request could read the key, as the probe of issue 13 did.
 */
public final class KeyPlacement {
    private KeyPlacement() {
    }

    /**
     * @param exposed directories by the setting or purpose that names them, e.g. "models.dir"
     * @throws ConfigException naming the setting to change
     */
    public static void check(Path keysDir, Map<String, Path> exposed) {
        Path keys = ModelsDirectory.realOrAbsolute(keysDir);
        for (Map.Entry<String, Path> e : exposed.entrySet()) {
            Path dir = ModelsDirectory.realOrAbsolute(e.getValue());
            if (keys.startsWith(dir) || dir.startsWith(keys)) {
                throw new ConfigException(e.getKey() + " " + dir + " and the bundle-signing key directory " + keys
                        + " overlap: the key must lie outside every directory the controller serves or packs; "
                        + "choose a " + e.getKey() + " that neither contains nor lies in " + keys);
            }
        }
    }
}
