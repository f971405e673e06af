"""`pkgtrace verify`: every release a lockfile pins, looked up in a dataset (local or a remote
pkgtrace server), with what is missing analysed on demand, suppressions applied."""

from pkgtrace.verify.interface import Dataset, DatasetError
from pkgtrace.verify.run import VerifyResult, open_dataset, verify_lockfiles

__all__ = ["Dataset", "DatasetError", "VerifyResult", "open_dataset", "verify_lockfiles"]
