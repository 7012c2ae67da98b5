// The custom AssemblyScript runtime that `asc --runtime` loads: a bump allocator that never frees.
//
// asc parses this file as an entry, so anything it exported would become a module export; the allocator
// itself therefore lives in ../heap.ts, which this file only pulls in.
import "../heap";
