package io.transferpool.translate;

import io.transferpool.model.OnnxModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where fine-tuning can start: tensors that separate the graph (everything up to the output depends on the images
 * only through them) and after which every operator translates to DL4J. A later separating tensor sees a subset of
 * an earlier one's nodes, so one translation from the earliest candidate decides for all after it; a refusal moves
 * the search past the refused node. That keeps this to a few translations even for graphs of a thousand nodes.
 */
public final class Boundaries {
    private Boundaries() {
    }

    /** Every freeze boundary for {@code output}, in graph order. */
    public static List<String> fineTunable(OnnxModel model, Map<String, List<Long>> shapes, String output) {
        OnnxGraph graph = new OnnxGraph(model, shapes);
        List<String> candidates = separating(graph, shapes, output);
        int from = firstTranslating(graph, shapes, candidates, 0, output);
        return from < 0 ? List.of() : List.copyOf(candidates.subList(from, candidates.size()));
    }

    /** The earliest boundary after tensor {@code failed} from which every operator up to {@code output} translates. */
    public static Optional<String> firstSupportedAfter(OnnxModel model, Map<String, List<Long>> shapes,
                                                       String failed, String output) {
        OnnxGraph graph = new OnnxGraph(model, shapes);
        List<String> candidates = separating(graph, shapes, output);
        List<String> names = model.tensorNames();
        int failedAt = names.indexOf(failed);
        int start = 0;
        while (start < candidates.size() && names.indexOf(candidates.get(start)) < failedAt) {
            start++;
        }
        int from = firstTranslating(graph, shapes, candidates, start, output);
        return from < 0 ? Optional.empty() : Optional.of(candidates.get(from));
    }

    /** Tensors before {@code output} (graph order) of a rank a boundary can have that separate the graph. */
    private static List<String> separating(OnnxGraph graph, Map<String, List<Long>> shapes, String output) {
        List<String> out = new ArrayList<>();
        for (String t : graph.model().tensorNames()) {
            if (t.equals(output)) {
                break;
            }
            List<Long> shape = shapes.get(t);
            if (shape == null || shape.size() < 2 || shape.size() > 4 || graph.isConstant(t)) {
                continue;
            }
            try {
                OnnxTranslator.between(graph, List.of(t), output);
                out.add(t);
            } catch (TranslationException e) {
                // Not separating: a later node still reads the images another way.
            }
        }
        return out;
    }

    /** Index of the first candidate from {@code start} on whose translation succeeds, or -1. */
    private static int firstTranslating(OnnxGraph graph, Map<String, List<Long>> shapes, List<String> candidates,
                                        int start, String output) {
        List<String> names = graph.model().tensorNames();
        int i = start;
        while (i < candidates.size()) {
            try {
                OnnxTranslator.translate(graph, shapes, List.of(candidates.get(i)), output,
                        TranslationOptions.DEFAULT);
                return i;
            } catch (UnsupportedOperatorException e) {
                int refused = graph.nodes().stream().filter(n -> TranslationContext.nodeName(n).equals(e.node()))
                        .findFirst().map(n -> names.indexOf(n.getOutput(0))).orElse(-1);
                int next = i + 1;
                while (next < candidates.size() && names.indexOf(candidates.get(next)) < refused) {
                    next++;
                }
                i = next;
            } catch (TranslationException e) {
                i++;
            }
        }
        return -1;
    }
}
