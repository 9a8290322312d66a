package io.transferpool.translate.layers;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J in double precision for a test class (gradient checks need it), then its defaults again: one JVM runs every
 * test class, and the others expect ND4J's defaults.
 */
final class DoublePrecision implements BeforeAllCallback, AfterAllCallback {
    private DataType defaultType;
    private DataType defaultFloatingType;

    @Override
    public void beforeAll(ExtensionContext context) {
        defaultType = Nd4j.dataType();
        defaultFloatingType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Nd4j.setDefaultDataTypes(defaultType, defaultFloatingType);
    }
}
