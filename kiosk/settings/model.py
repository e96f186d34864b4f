"""The root of the configuration tree."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from kiosk.settings.backend import BackendConfig
from kiosk.settings.base import Section
from kiosk.settings.bundles import BundlesConfig
from kiosk.settings.camera import CameraConfig
from kiosk.settings.card import CardReaderConfig
from kiosk.settings.complaints import ComplaintsConfig
from kiosk.settings.face import FaceConfig
from kiosk.settings.notify import NotifyConfig
from kiosk.settings.printer import PrinterConfig
from kiosk.settings.trust import ReceiptConfig, TrustConfig


class TerminalConfig(Section):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=40)
    centre_name: str = "柳江区政务服务中心"
    location: str = ""
    help_text: str = "如需帮助，请到一楼综合咨询台，或点击“呼叫工作人员”。"


class DisplayConfig(Section):
    width: int = Field(default=1080, ge=480, le=3840)
    height: int = Field(default=1920, ge=480, le=3840)
    fullscreen: bool = False
    font_path: str = ""  # empty: Noto Sans CJK SC extracted from Debian's fonts-noto-cjk
    language: Literal["zh_CN", "en"] = "zh_CN"
    elder_mode_default: bool = False
    # wait for each frame to be drawn before the next (kiosk.app.kivy_app._finish_last_frame)
    pace_frames: bool = True
    # GL multisampling (MSAA) samples: 0 (default) lets the screens antialias their own shapes,
    # which costs a software renderer half as much per frame; a GPU terminal may ask for 4
    multisamples: Literal[0, 2, 4, 8] = 0

    @property
    def orientation(self) -> str:
        return "portrait" if self.height >= self.width else "landscape"


class TimeoutConfig(Section):
    idle_seconds: int = Field(default=60, ge=10, le=600)
    elder_idle_seconds: int = Field(default=120, ge=10, le=900)
    warning_seconds: int = Field(default=15, ge=5, le=120)
    goodbye_seconds: int = Field(default=10, ge=3, le=120)
    # 显示完整信息 on the detail page masks again by itself after this long (and on leaving the page)
    reveal_seconds: int = Field(default=30, ge=5, le=300)

    @model_validator(mode="after")
    def _warning_shorter_than_idle(self) -> TimeoutConfig:
        if self.warning_seconds >= self.idle_seconds:
            raise ValueError("warning_seconds must be shorter than idle_seconds")
        return self


class ServicesConfig(Section):
    mianzheng: bool = True  # 免证办: e-certificates
    guide: bool = True  # 办事指南
    disclosure: bool = True  # 政务公开
    print_receipt: bool = True
    print_copy: bool = True
    rating: bool = True  # 好差评
    qr_identify: bool = True
    card_identify: bool = True


class SessionConfig(Section):
    use_cause: str = Field(default="免证办：电子证照查询与打印", min_length=1, max_length=200)
    # certificate type codes fetched for the 免证办 service; empty: all the terminal may see
    type_codes: list[str] = Field(default_factory=list)


class VoiceConfig(Section):
    enabled: bool = True
    volume: float = Field(default=0.8, ge=0.0, le=1.0)


class AdminConfig(Section):
    pin_hash: SecretStr = SecretStr("")  # secrets file only: scrypt hash, never the PIN
    inactivity_seconds: int = Field(default=120, ge=30, le=1800)
    max_attempts: int = Field(default=5, ge=1, le=20)
    lockout_seconds: int = Field(default=300, ge=30, le=86400)


class DevicesConfig(Section):
    card_reader: CardReaderConfig = CardReaderConfig()
    camera: CameraConfig = CameraConfig()
    printer: PrinterConfig = PrinterConfig()


class PathsConfig(Section):
    state_dir: str = ""  # audit log, queues, lockout state; empty: ~/.local/state/kiosk
    log_dir: str = ""  # empty: <state_dir>/logs
    # what staff change on the admin page (kiosk.settings.loader: layered over the terminal's file);
    # empty: <state_dir>/staff.toml, or none without a state_dir (changes then go to --config)
    staff_file: str = ""


class OpsConfig(Section):
    """Unattended operation (kiosk.ops): the systemd watchdog and the local Prometheus endpoint."""

    metrics_enabled: bool = True
    metrics_host: str = "127.0.0.1"  # loopback only: a node exporter / agent on the terminal scrapes it
    metrics_port: int = Field(default=9101, ge=0, le=65535)  # 0: any free port (tests)
    watchdog: bool = True  # ping systemd from the UI loop when started by a Type=notify unit
    clock_skew_seconds: float = Field(default=120.0, gt=0)  # |terminal − backend| above this is reported
    disk_min_free_mb: int = Field(default=200, ge=0)  # below this the state dir is reported degraded
    # above this resident size the app restarts itself, but only at rest (kiosk.ops.memory); 0: never
    restart_above_mb: int = Field(default=2000, ge=0)
    restart_after_rest_seconds: float = Field(default=120.0, ge=0)  # on the attract screen, untouched


class KioskConfig(Section):
    terminal: TerminalConfig
    display: DisplayConfig = DisplayConfig()
    timeouts: TimeoutConfig = TimeoutConfig()
    services: ServicesConfig = ServicesConfig()
    session: SessionConfig = SessionConfig()
    voice: VoiceConfig = VoiceConfig()
    admin: AdminConfig = AdminConfig()
    backend: BackendConfig = BackendConfig()
    devices: DevicesConfig = DevicesConfig()
    paths: PathsConfig = PathsConfig()
    ops: OpsConfig = OpsConfig()
    trust: TrustConfig = TrustConfig()
    receipt: ReceiptConfig = ReceiptConfig()
    bundles: BundlesConfig = BundlesConfig()
    notify: NotifyConfig = NotifyConfig()
    complaints: ComplaintsConfig = ComplaintsConfig()  # 咨询·投诉·举报 (kiosk.complaints)
    face: FaceConfig = FaceConfig()  # 人证核验 (kiosk/face)

    def secret(self, value: SecretStr) -> str:
        return value.get_secret_value()
