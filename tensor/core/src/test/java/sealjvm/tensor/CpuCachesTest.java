package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class CpuCachesTest {
    @Test
    void parsesSysfsSizes() {
        assertEquals(48L << 10, CpuCaches.parseSize("48K"));
        assertEquals(2048L << 10, CpuCaches.parseSize("2048K"));
        assertEquals(32L << 20, CpuCaches.parseSize("32M"));
        assertEquals(4096, CpuCaches.parseSize("4096"));
        assertThrows(NumberFormatException.class, () -> CpuCaches.parseSize("K"));
        assertThrows(NumberFormatException.class, () -> CpuCaches.parseSize(""));
    }

    @Test
    void panelDepthIsAWholeNumberOfVectorsWithinL1() {
        assertTrue(CpuCaches.l1Data() > 0 && CpuCaches.l2() > 0);
        assertEquals(0, Matmul.KC % Matmul.L);
        assertTrue(Matmul.KC >= 4 * Matmul.L && Matmul.KC <= 32 * Matmul.L);
        // the panel fits the L1 data cache unless the floor (4L) forces it past a tiny one
        assertTrue((long) Matmul.KC * Matmul.NR * 4 <= Math.max(CpuCaches.l1Data(), 4L * Matmul.L * Matmul.NR * 4));
    }
}
