//! Parameter changes the plugin itself makes (undo/redo restoring settings, key following),
//! handed to the host so it records them like the user's.
//!
//! nice-plug 0.4.2 has one way for a plugin to change its parameters through the host: the
//! `GuiContext` it hands the editor when the window is created (`Editor::spawn`); its calls must
//! be made on the main thread (CLAP: output parameter events plus `request_flush`; VST3:
//! `IComponentHandler::performEdit`, a UI-thread call). `ProcessContext` and `ActivateContext`
//! have no parameter setter. So [`GuiHost`] keeps the context from the first time the editor
//! opens (it stays valid after the window closes), queues the worker's changes, and runs them on
//! the main thread through `AsyncExecutor::execute_gui` ([`crate::Task::ApplyHostParams`]).
//! Before the editor has ever opened there is no way to reach the host: [`ParamHost::request`]
//! says so and the worker keeps its own record (the followed key, the clip's fingerprint).

use crate::params::ParamChange;
use crate::task::Task;
use nice_plug::context::gui::GuiContext;
use parking_lot::Mutex;
use std::sync::Arc;

/// Where the worker sends parameter changes.
pub trait ParamHost: Send + Sync {
    /// Asks the host to set the parameters (normalized values). `false` when the host cannot be
    /// reached now; nothing is queued then.
    fn request(&self, changes: &[ParamChange]) -> bool;
}

/// Runs a task on the main thread (`AsyncExecutor::execute_gui`).
pub type MainThread = Arc<dyn Fn(Task) + Send + Sync>;

/// Parameter changes through nice-plug's `GuiContext`, on the main thread.
#[derive(Default)]
pub struct GuiHost {
    gui: Mutex<Option<GuiContext>>,
    main: Mutex<Option<MainThread>>,
    pending: Mutex<Vec<ParamChange>>,
}

impl GuiHost {
    /// Main thread (`Plugin::editor`): how to reach the main thread later.
    pub fn set_main_thread(&self, main: MainThread) {
        *self.main.lock() = Some(main);
    }

    /// GUI thread (editor opening): the host's parameter API.
    pub fn set_gui_context(&self, gui: GuiContext) {
        *self.gui.lock() = Some(gui);
    }

    /// Main thread: hands the queued changes to the host, each as one gesture.
    pub fn apply_pending(&self) {
        let Some(gui) = self.gui.lock().clone() else {
            return;
        };
        let changes = std::mem::take(&mut *self.pending.lock());
        for (ptr, value) in changes {
            // SAFETY: the pointers come from the plugin's own parameter object, which lives as
            // long as the plugin; called on the main thread as `GuiContext` requires.
            unsafe {
                gui.raw_begin_set_parameter(ptr);
                gui.raw_set_parameter_normalized(ptr, value);
                gui.raw_end_set_parameter(ptr);
            }
        }
    }
}

impl ParamHost for GuiHost {
    fn request(&self, changes: &[ParamChange]) -> bool {
        if self.gui.lock().is_none() {
            return false;
        }
        let Some(main) = self.main.lock().clone() else {
            return false;
        };
        {
            let mut pending = self.pending.lock();
            for &(ptr, v) in changes {
                pending.retain(|(p, _)| *p != ptr);
                pending.push((ptr, v));
            }
        }
        main(Task::ApplyHostParams);
        true
    }
}
