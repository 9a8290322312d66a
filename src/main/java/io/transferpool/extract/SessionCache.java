package io.transferpool.extract;

import ai.onnxruntime.OrtException;
import io.transferpool.model.CutSession;
import io.transferpool.model.ExternalData;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One open {@link CutSession} per (model digest, input, cut), least recently used evicted past {@code capacity}.
 * Opening a session costs a model parse, a graph cut and ONNX Runtime's optimisation; every shard of a job (and
 * every job on the same base and cut) reuses it. The digests of the model file and of its external-data files are
 * part of the key and checked against the task's on load, so changed weights are never served from an old session.
 */
public final class SessionCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SessionCache.class);

    public record Key(String sha256, String input, String cut, Map<String, String> externalSha256) {
        public Key(String sha256, String input, String cut) {
            this(sha256, input, cut, null);
        }
    }

    private final int capacity;
    private final SessionFactory.Settings settings;
    private final Consumer<CutSession> onOpen;
    // Guarded by this: access order is the LRU order.
    private final LinkedHashMap<Key, CutSession> sessions = new LinkedHashMap<>(16, 0.75f, true);

    public SessionCache(int capacity, SessionFactory.Settings settings, Consumer<CutSession> onOpen) {
        this.capacity = capacity;
        this.settings = settings;
        this.onOpen = onOpen;
    }

    public synchronized CutSession get(Path modelFile, Key key) throws IOException, OrtException {
        CutSession s = sessions.get(key);
        if (s != null) {
            return s;
        }
        OnnxModel model = OnnxModel.load(modelFile);
        List<String> external = ExternalData.problems(model.graph(), model.folder());
        if (!external.isEmpty()) {
            // A task reaches this only from a job the coordinator accepted, unless written to tp.extract directly.
            throw new IOException("model " + modelFile + ": " + String.join("; ", external));
        }
        if (key.sha256() != null && !key.sha256().equals(model.sha256())) {
            throw new IOException("model " + modelFile + " changed since the job was accepted: SHA-256 is "
                    + model.sha256() + ", the job pinned " + key.sha256());
        }
        String changed = ExternalData.mismatch(model.graph(), model.folder(), key.externalSha256());
        if (changed != null) {
            throw new IOException("model " + modelFile + ": " + changed);
        }
        long t0 = System.nanoTime();
        s = CutSession.open(model, key.input(), key.cut(), settings);
        LOG.infof("Opened session for model %s cut at %s on %s in %.2f s", model.sha256().substring(0, 12), key.cut(),
                s.provider(), (System.nanoTime() - t0) / 1e9);
        onOpen.accept(s);
        sessions.put(key, s);
        while (sessions.size() > capacity) {
            Map.Entry<Key, CutSession> eldest = sessions.entrySet().iterator().next();
            sessions.remove(eldest.getKey());
            eldest.getValue().close();
        }
        return s;
    }

    public synchronized int size() {
        return sessions.size();
    }

    @Override
    public synchronized void close() throws OrtException {
        for (CutSession s : sessions.values()) {
            s.close();
        }
        sessions.clear();
    }
}
