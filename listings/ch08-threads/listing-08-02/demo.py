import threading, time  # hide
import numpy as np
import shared_state as s
a = np.ones(5)
reader = threading.Thread(target=s.hold, args=(a, 1.0))  # reads a for 1 s
reader.start()
time.sleep(0.2)
s.fill(a, 2.0)  # raises
a[0] = 5.0  # Python's own write: no borrow is asked for
reader.join()
a
s.fill(a, 2.0)
a
c = s.Counter()
slow = threading.Thread(target=c.add_slowly, args=(1, 1.0))
slow.start()
time.sleep(0.2)
c.add_slowly(2, 0.0)  # raises
slow.join()
c.count
t = s.Tally()
adders = [threading.Thread(target=t.add, args=(np.full(1000, 1.0),)) for _ in range(8)]
for th in adders: th.start()
for th in adders: th.join()
t.totals()
s.numpy_version()
