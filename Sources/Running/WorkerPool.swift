import Foundation

/// The one pool of worker threads: `jobs` threads take the indices 0..<count in
/// order, one at a time, until none is left. Each agent's arithmetic stays on
/// one thread (determinism), and threads get a large stack (deep recursion in
/// MuJoCo's model compiler and in formula evaluation).
public enum WorkerPool {
  /// Runs `work(i)` for every i in 0..<count on up to `jobs` threads and returns
  /// when all are done. Meanwhile, every `tick` seconds, calls `onTick` on the
  /// calling thread (progress lines).
  public static func run(count: Int, jobs: Int, tick: Double = 0.5, onTick: () -> Void = {},
                         work: @escaping @Sendable (Int) -> Void) {
    let next = Counter()
    let workers = max(1, min(jobs, count))
    let group = DispatchGroup()
    if count > 0 {
      for w in 0..<workers {
        group.enter()
        let thread = Thread {
          while let i = next.take(below: count) { work(i) }
          group.leave()
        }
        thread.name = "repro-worker-\(w)"
        thread.stackSize = 16 << 20
        thread.start()
      }
    }
    onTick()
    while group.wait(timeout: .now() + tick) == .timedOut { onTick() }
  }

  /// `transform` of every item on up to `jobs` threads; the results in input order.
  public static func map<T: Sendable, R: Sendable>(_ items: [T], jobs: Int, _ transform: @escaping @Sendable (T) -> R) -> [R] {
    let box = Slots<R>(count: items.count)
    run(count: items.count, jobs: jobs) { i in box.set(i, transform(items[i])) }
    return box.values
  }

  final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below n: Int) -> Int? {
      lock.lock()
      defer { lock.unlock() }
      guard value < n else { return nil }
      value += 1
      return value - 1
    }
  }

  final class Slots<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [R?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: R) {
      lock.lock()
      items[i] = v
      lock.unlock()
    }
    var values: [R] {
      lock.lock()
      defer { lock.unlock() }
      return items.map { $0! }
    }
  }
}
