package io.transferpool.translate;

import io.transferpool.model.OnnxModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where fine-tuning can start: tensors from which everything up to an output translates to DL4J. */
public final class Boundaries {
    private Boundaries() {
    }

    /**
     * Every tensor (graph order) that can be a freeze boundary for {@code output}: the part after it is separated
     * from the rest of the graph and every operator in it is supported.
     */
    public static List<String> fineTunable(OnnxModel model, Map<String, List<Long>> shapes, String output) {
        List<String> out = new ArrayList<>();
        for (String t : model.tensorNames()) {
            if (t.equals(output)) {
                break;
            }
            if (translates(model, shapes, t, output)) {
                out.add(t);
            }
        }
        return out;
    }

    /** The earliest boundary after {@code failed} from which every operator up to {@code output} translates. */
    public static Optional<String> firstSupportedAfter(OnnxModel model, Map<String, List<Long>> shapes,
                                                       String failed, String output) {
        List<String> names = model.tensorNames();
        for (int i = Math.max(0, names.indexOf(failed)); i < names.size() && !names.get(i).equals(output); i++) {
            if (translates(model, shapes, names.get(i), output)) {
                return Optional.of(names.get(i));
            }
        }
        return Optional.empty();
    }

    private static boolean translates(OnnxModel model, Map<String, List<Long>> shapes, String from, String output) {
        try {
            OnnxTranslator.translate(model, shapes, List.of(from), output, TranslationOptions.DEFAULT);
            return true;
        } catch (TranslationException e) {
            return false;
        }
    }
}
