package io.transferpool.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The {@code owner} field of a job's JSON as submitted: whether it names one, and the job with it set. */
final class JobOwner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobOwner() {
    }

    /** True when the job names an owner itself. */
    static boolean named(String json) {
        try {
            return JSON.readTree(json).has("owner");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The job with {@code owner} set (the JSON was parsed already: it is an object). */
    static String set(String json, String owner) {
        try {
            JsonNode root = JSON.readTree(json);
            ((ObjectNode) root).put("owner", owner);
            return JSON.writeValueAsString(root);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the job was parsed but cannot be read again: " + e.getMessage(), e);
        }
    }
}
