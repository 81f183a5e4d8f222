package io.taskscratch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.map.MapFlags;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import io.taskscratch.writer.PinnedWriter;
import io.taskscratch.writer.WriteContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The usage example of docs/scratch-api.md, compiled and run; the doc must quote it line for line. */
class UsageExampleTest {
    @Test
    void usageExampleRuns() {
        // --- example start ---
        RegionLayout layout = RegionLayout.builder().staticKey("lock_depth", 4).dynamicBudget(16).build();
        RegionAllocator allocator = RegionAllocator.create(layout, PinMode.PINNED);
        TaskStorageMap map = TaskStorageMap.create("sched_scratch",
                MapSpec.taskStorage(ValueType.singleUptr("udata", PointeeType.of(layout))));
        TaskHandle self = TaskHandle.current();                 // OS tid via gettid
        ScratchRegion region = allocator.allocate(self);        // 64 bytes of a pinned page
        map.update(self, map.newValue().setUptr("udata", region), MapFlags.NOEXIST);
        region.putInt(layout.key("lock_depth"), 1, MemoryOrder.OPAQUE);
        new PinnedWriter().switchIn(WriteContext.task(self), region, 0, System.nanoTime(), false);
        boolean running = region.onCpu();                      // what an adaptive mutex reads
        map.delete(self);                                       // unregister: unpinned after a grace period
        map.awaitUnpins();
        region.close();                                         // EBUSY while still registered
        // --- example end ---
        assertTrue(running);
        assertTrue(region.isFreed());
        assertEquals(0, map.size());
        assertFalse(allocator.stats().liveRegions() > 0);
        map.close();
    }

    @Test
    void docQuotesTheExample() throws IOException {
        Path doc = Path.of("..", "docs", "scratch-api.md");
        Path self = Path.of("src", "test", "java", "io", "taskscratch", "UsageExampleTest.java");
        String source = Files.readString(self);
        String example = source.substring(source.indexOf("// --- example start ---\n") + 25, source.indexOf("        // --- example end ---"));
        List<String> lines = example.lines().map(String::strip).toList();
        String text = Files.readString(doc);
        String block = text.substring(text.indexOf("```java\n") + 8, text.indexOf("```", text.indexOf("```java\n") + 8));
        assertEquals(lines, block.lines().map(String::strip).toList(), "docs/scratch-api.md must quote UsageExampleTest's example");
    }
}
