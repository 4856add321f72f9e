package dev.wharf.repositories;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.core.DomainException;
import dev.wharf.core.JsonDocuments;
import java.util.ArrayList;
import java.util.List;

/**
 * What the Hub shows of an image config: its platform, and the instruction that made each layer (the config's
 * {@code history}, whose entries without {@code empty_layer} correspond to the layers in order).
 */
public record ImageConfig(String architecture, String os, String variant, String osVersion, List<String> osFeatures,
                          List<String> layerInstructions) {
    public static final ImageConfig NONE = new ImageConfig(null, null, null, null, List.of(), List.of());

    private record Json(String architecture, String os, String variant,
                        @JsonProperty("os.version") String osVersion,
                        @JsonProperty("os.features") List<String> osFeatures, List<History> history) {
    }

    private record History(@JsonProperty("created_by") String createdBy,
                           @JsonProperty("empty_layer") Boolean emptyLayer) {
    }

    /** Reads a config blob; one that is not an image config (an artifact's may be anything) gives {@link #NONE}. */
    public static ImageConfig parse(byte[] config) {
        Json c;
        try {
            c = JsonDocuments.read(config, Json.class);
        } catch (JsonDocuments.Malformed | DomainException.Invalid e) {
            return NONE;
        }
        if (c == null) {
            return NONE;
        }
        List<String> instructions = new ArrayList<>();
        for (History h : c.history() == null ? List.<History>of() : c.history()) {
            if (h != null && !Boolean.TRUE.equals(h.emptyLayer())) {
                instructions.add(h.createdBy() == null ? "" : h.createdBy());
            }
        }
        return new ImageConfig(c.architecture(), c.os(), c.variant(), c.osVersion(),
                c.osFeatures() == null ? List.of() : List.copyOf(c.osFeatures()), List.copyOf(instructions));
    }

    /** The instruction that made layer {@code index}, or "" when the history does not say. */
    public String instruction(int index) {
        return index < layerInstructions.size() ? layerInstructions.get(index) : "";
    }
}
