package io.transferpool.admission;

import ai.onnx.proto.OnnxMl;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobSpec;
import io.transferpool.model.GraphCut;
import io.transferpool.model.OnnxModel;
import io.transferpool.translate.Boundaries;
import io.transferpool.translate.OnnxTranslator;
import io.transferpool.translate.TranslationException;
import io.transferpool.translate.TranslationOptions;
import io.transferpool.translate.UnsupportedOperatorException;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a fine-tuning job against its model before any work starts: the freeze boundary exists, the head is
 * settled (the base's own classifier when its class count matches the task, else a new head at the classifier's
 * input or at baseModel.cut), and every operator between boundary and head translates to DL4J.
 */
final class FineTuneCheck {
    /** Where the head attaches (or the base's logits when it keeps its classifier). */
    record Settled(String cut, boolean keepBaseClassifier) {
    }

    private FineTuneCheck() {
    }

    /** @param shapes every tensor's shape for a batch of one, from the validator's run of the model */
    static Settled check(OnnxModel model, Map<String, List<Long>> shapes, JobSpec spec, int classes,
                         List<FieldError> errors) {
        JobSpec.BaseModel bm = spec.baseModel();
        try {
            GraphCut.cut(model, bm.freezeAt());
        } catch (GraphCut.UnknownTensorException e) {
            errors.add(new FieldError("baseModel.freezeAt", e.getMessage()));
            return null;
        }
        Settled settled = settle(model, spec, classes, shapes, errors);
        if (settled == null) {
            return null;
        }
        TranslationOptions options = new TranslationOptions(spec.fineTune().batchNorm() == JobSpec.BatchNorm.UPDATE);
        try {
            OnnxTranslator.translate(model, shapes, List.of(bm.freezeAt()), settled.cut(), options);
        } catch (UnsupportedOperatorException e) {
            Optional<String> from = model.graph().getNodeList().stream()
                    .filter(n -> n.getName().equals(e.node()) || n.getOutput(0).equals(e.node())).findFirst()
                    .flatMap(n -> Boundaries.firstSupportedAfter(model, shapes, n.getOutput(0), settled.cut()));
            errors.add(new FieldError("baseModel.freezeAt", e.getMessage() + from.map(
                    t -> "; the latest boundary after which every operator is supported is \"" + t + "\"")
                    .orElse("; no boundary before \"" + settled.cut() + "\" has only supported operators after it")));
        } catch (TranslationException e) {
            errors.add(new FieldError("baseModel.freezeAt", e.getMessage()));
        }
        return settled;
    }

    private static Settled settle(OnnxModel model, JobSpec spec, int classes, Map<String, List<Long>> shapes,
                                  List<FieldError> errors) {
        Boolean keep = spec.fineTune().keepBaseClassifier();
        String cut = spec.baseModel().cut();
        if (cut != null) {
            if (Boolean.TRUE.equals(keep)) {
                errors.add(new FieldError("fineTune.keepBaseClassifier", "true, but baseModel.cut names where a new "
                        + "head attaches; give one or the other"));
                return null;
            }
            try {
                GraphCut.cut(model, cut);
            } catch (GraphCut.UnknownTensorException e) {
                errors.add(new FieldError("baseModel.cut", e.getMessage()));
                return null;
            }
            return new Settled(cut, false);
        }
        String output = model.graph().getOutput(0).getName();
        Optional<OnnxMl.NodeProto> last = producer(model, output);
        String logits = last.filter(n -> n.getOpType().equals("Softmax")).map(n -> n.getInput(0)).orElse(output);
        List<Long> shape = shapes.getOrDefault(logits, List.of());
        long baseClasses = shape.size() == 2 ? shape.get(1) : -1;
        if (Boolean.TRUE.equals(keep) || keep == null && baseClasses == classes) {
            if (baseClasses != classes) {
                errors.add(new FieldError("fineTune.keepBaseClassifier", "the base's classifier has " + baseClasses
                        + " outputs but the task has " + classes + " classes"));
                return null;
            }
            return new Settled(logits, true);
        }
        Optional<String> classifierInput = producer(model, logits)
                .filter(n -> n.getOpType().equals("Gemm") || n.getOpType().equals("MatMul")).map(n -> n.getInput(0));
        if (classifierInput.isEmpty()) {
            errors.add(new FieldError("baseModel.cut", "is required: the base's output has " + baseClasses
                    + " classes, the task has " + classes + ", and the base's classifier (a final Gemm or MatMul) "
                    + "was not found; name the tensor where the new head attaches"));
            return null;
        }
        return new Settled(classifierInput.get(), false);
    }

    private static Optional<OnnxMl.NodeProto> producer(OnnxModel model, String tensor) {
        return model.graph().getNodeList().stream().filter(n -> n.getOutputList().contains(tensor)).findFirst();
    }
}
