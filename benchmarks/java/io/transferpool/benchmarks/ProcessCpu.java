package io.transferpool.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where this process's CPU went between two moments: its whole CPU time, garbage collection, and each thread's
 * CPU time from Linux's /proc (so GC, JIT compiler and native libraries' threads count too, which the JVM's
 * ThreadMXBean does not see). For benchmarks that must show whether a pipeline was idle or short of CPU.
 */
record ProcessCpu(double cpuSeconds, double gcSeconds, long gcCount, Map<String, Double> threads) {

    /** A reading now. */
    static ProcessCpu now() {
        double gcSeconds = 0;
        long gcCount = 0;
        for (var bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcSeconds += Math.max(0, bean.getCollectionTime()) / 1e3;
            gcCount += Math.max(0, bean.getCollectionCount());
        }
        double cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
        return new ProcessCpu(cpu, gcSeconds, gcCount, threadTimes());
    }

    /** What was used from {@code before} until this reading. */
    ProcessCpu since(ProcessCpu before) {
        Map<String, Double> used = new HashMap<>();
        threads.forEach((task, seconds) -> used.put(task, seconds - before.threads.getOrDefault(task, 0.0)));
        return new ProcessCpu(cpuSeconds - before.cpuSeconds, gcSeconds - before.gcSeconds, gcCount - before.gcCount,
                used);
    }

    /** The thread groups (threads by name, numbers taken out) that used the most CPU, with their seconds. */
    String busiest(int top) {
        Map<String, Double> groups = new HashMap<>();
        threads.forEach((task, seconds) -> groups.merge(task.substring(task.indexOf(' ') + 1), seconds, Double::sum));
        return groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(top).map(e -> String.format("%s %.2f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** The JIT's code cache in use, MB (a full one makes the JVM drop and later recompile code). */
    static String codeCache() {
        double used = 0;
        double max = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().startsWith("CodeHeap") || pool.getName().equals("Code Cache")) {
                used += pool.getUsage().getUsed() / 1e6;
                max += pool.getUsage().getMax() / 1e6;
            }
        }
        return String.format("%.0f of %.0f MB", used, max);
    }

    /** Each thread's CPU seconds so far, keyed "id name", 10 ms resolution; empty where there is no /proc. */
    private static Map<String, Double> threadTimes() {
        Map<String, Double> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "N");
                    String stat = Files.readString(task.resolve("stat"));
                    // Fields after the parenthesised name: state is field 3, utime 14, stime 15 (in clock ticks).
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(task.getFileName() + " " + name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while being read
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
